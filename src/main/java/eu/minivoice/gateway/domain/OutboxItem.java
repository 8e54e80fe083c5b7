package eu.minivoice.gateway.domain;

/** A pending delivery with what it sends: the event type and the envelope (JSON text). */
public record OutboxItem(Delivery delivery, String eventType, String payload) {
}
