package eu.minivoice.gateway.domain;

/** Makes prefixed opaque ids (trunk_…, call_…); injected so tests can make them predictable. */
public interface IdGenerator {
    /** A new id such as {@code trunk_9f3kq…} for prefix {@code trunk}. */
    String newId(String prefix);

    /** An id whose prefix sorts by creation time (for high-volume rows: events, deliveries). */
    default String newOrderedId(String prefix) {
        return newId(prefix);
    }
}
