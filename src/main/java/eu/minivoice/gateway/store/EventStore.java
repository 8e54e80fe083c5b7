package eu.minivoice.gateway.store;

import eu.minivoice.gateway.domain.StoredEvent;

import java.util.List;

/** Accepted events, per customer. */
public interface EventStore {
    void insert(List<StoredEvent> events);

    /** Newest first, at most {@code limit}. */
    List<StoredEvent> list(String customerId, String type, int limit);
}
