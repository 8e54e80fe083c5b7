package eu.minivoice.gateway.service;

import eu.minivoice.gateway.domain.Delivery;
import eu.minivoice.gateway.domain.DeliveryStatus;
import eu.minivoice.gateway.domain.StoredEvent;
import eu.minivoice.gateway.store.OutboxStore;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A customer's stored events and their deliveries as the API serves them; scoped by customer. */
public final class EventHistory {
    private final OutboxStore store;

    public EventHistory(OutboxStore store) {
        this.store = store;
    }

    /** Newest first, filtered by type and by deliveries in a state; {@code beforeId} pages back. */
    public List<StoredEvent> events(String customerId, String type, DeliveryStatus status, String beforeId, int limit) {
        return store.events(customerId, type, status, beforeId, limit);
    }

    public Optional<StoredEvent> event(String customerId, String eventId) {
        return store.event(customerId, eventId);
    }

    /** The deliveries of these events (of one customer: the ids come from the calls above). */
    public Map<String, List<Delivery>> deliveries(List<String> eventIds) {
        return store.deliveries(eventIds);
    }
}
