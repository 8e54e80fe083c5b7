package eu.minivoice.gateway.domain;

import java.time.Instant;

/** An event as accepted: its envelope (JSON text) and the fields it is looked up by. */
public record StoredEvent(String id, String customerId, String type, String subjectId, Instant createdAt,
                          String payload) {
}
