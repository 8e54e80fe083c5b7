package eu.minivoice.gateway.domain;

import java.time.Instant;

/**
 * An event as accepted: its envelope (JSON text) and the fields it is looked up and routed by.
 * {@code subjectId} is the call or trunk the event is about (and the per-call order key);
 * {@code applicationId} is the application whose callback receives it, when there is one.
 */
public record StoredEvent(String id, String customerId, String type, String subjectId, String applicationId,
                          Instant createdAt, String payload) {
}
