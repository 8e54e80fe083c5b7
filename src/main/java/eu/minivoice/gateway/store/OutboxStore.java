package eu.minivoice.gateway.store;

import eu.minivoice.gateway.domain.Delivery;
import eu.minivoice.gateway.domain.DeliveryStatus;
import eu.minivoice.gateway.domain.OutboxItem;
import eu.minivoice.gateway.domain.StoredEvent;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Accepted events and their deliveries: the durable webhook outbox (docs/product.md §6). */
public interface OutboxStore {
    /**
     * Reserves {@code size} delivery seq values for this node: the first of them. Blocks taken
     * later start higher, so one node's seqs grow in the order it uses them, and no two nodes
     * ever use the same one.
     */
    long takeSeqBlock(int size);

    /** Whose pending deliveries {@link #adopt} takes over. */
    enum Adoption {
        /** rows stored before deliveries had a node (a gateway upgraded in place) */
        UNOWNED,
        /** rows of one node (that node is lost) */
        NODE,
        /** every row not this node's (the embedded database: this node is the only one) */
        ALL_OTHERS
    }

    /**
     * Makes at most {@code limit} pending deliveries of others this node's, in their seq order,
     * giving each a new seq from {@code nextSeq} (so they page in after what this node holds).
     * Rows another node is adopting at the same moment are skipped, never waited for.
     * @param node the lost node for {@link Adoption#NODE}, else ignored
     */
    List<OutboxItem> adopt(Adoption from, String node, java.util.function.LongSupplier nextSeq, int limit);

    /**
     * One transaction: new events, new deliveries (an event is never stored without its
     * deliveries), and the new state of earlier deliveries after attempts (matched by seq; a row
     * another node has adopted since is left alone).
     */
    void write(List<StoredEvent> events, List<Delivery> inserts, List<Delivery> updates);

    /** Endpoints with pending deliveries of this node (start-up: what to page in). */
    List<String> pendingEndpoints();

    /** This node's pending deliveries of an endpoint with seq greater than {@code afterSeq}, in seq order. */
    List<OutboxItem> pending(String endpoint, long afterSeq, int limit);

    /**
     * Newest first, at most {@code limit}, optionally only of a type and only events with a
     * delivery in {@code status}; {@code beforeId} pages on from an earlier answer's last event.
     */
    List<StoredEvent> events(String customerId, String type, DeliveryStatus status, String beforeId, int limit);

    Optional<StoredEvent> event(String customerId, String eventId);

    /** The deliveries of these events, by event id, oldest first. */
    Map<String, List<Delivery>> deliveries(List<String> eventIds);
}
