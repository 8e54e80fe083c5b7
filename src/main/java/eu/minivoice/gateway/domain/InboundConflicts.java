package eu.minivoice.gateway.domain;

/** Whether a trunk's inbound ranges overlap an earlier claim of another customer (docs/inbound.md). */
@FunctionalInterface
public interface InboundConflicts {
    boolean inboundConflict(String trunkId);
}
