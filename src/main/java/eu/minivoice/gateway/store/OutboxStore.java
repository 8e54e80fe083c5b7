package eu.minivoice.gateway.store;

import eu.minivoice.gateway.domain.Delivery;
import eu.minivoice.gateway.domain.DeliveryStatus;
import eu.minivoice.gateway.domain.OutboxItem;
import eu.minivoice.gateway.domain.StoredEvent;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Accepted events and their deliveries: the durable webhook outbox (DESIGN §6). */
public interface OutboxStore {
    /** The highest delivery seq stored (0 when none): the outbox writer continues after it. */
    long maxDeliverySeq();

    /**
     * One transaction: new events, new deliveries (an event is never stored without its
     * deliveries), and the new state of earlier deliveries after attempts (matched by seq).
     */
    void write(List<StoredEvent> events, List<Delivery> inserts, List<Delivery> updates);

    /** Endpoints with pending deliveries (start-up: what to page in). */
    List<String> pendingEndpoints();

    /** Pending deliveries of an endpoint with seq greater than {@code afterSeq}, in seq order. */
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
