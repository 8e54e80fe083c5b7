package eu.minivoice.gateway.domain;

import java.time.Instant;

/**
 * One event on its way to one URL: the outbox row. {@code seq} is assigned by the outbox writer in
 * commit order; {@code orderKey} (the call or trunk id) with {@code url} forms a chain whose
 * deliveries go out one after another. Immutable: each attempt produces the next version.
 */
public record Delivery(long seq, String id, String eventId, String customerId, TargetKind kind, String targetId,
                       String url, String endpoint, String orderKey, DeliveryStatus status, int attempts,
                       Integer lastStatusCode, String lastError, Instant nextAttemptAt, Instant windowStart,
                       Instant createdAt, Instant updatedAt, Instant deliveredAt) {

    public Delivery {
        if (lastError != null && lastError.length() > 500) {
            lastError = lastError.substring(0, 497) + "...";
        }
    }

    /** A new pending delivery, due now. */
    public static Delivery pending(long seq, String id, String eventId, String customerId, TargetKind kind,
                                   String targetId, String url, String endpoint, String orderKey, Instant now) {
        return new Delivery(seq, id, eventId, customerId, kind, targetId, url, endpoint, orderKey,
                DeliveryStatus.PENDING, 0, null, null, now, now, now, now, null);
    }

    /** The same delivery under another seq (the outbox numbers rows it stores or takes over). */
    public Delivery withSeq(long newSeq) {
        return new Delivery(newSeq, id, eventId, customerId, kind, targetId, url, endpoint, orderKey, status, attempts,
                lastStatusCode, lastError, nextAttemptAt, windowStart, createdAt, updatedAt, deliveredAt);
    }

    public Delivery delivered(int statusCode, Instant now) {
        return new Delivery(seq, id, eventId, customerId, kind, targetId, url, endpoint, orderKey,
                DeliveryStatus.DELIVERED, attempts + 1, statusCode, null, null, windowStart, createdAt, now, now);
    }

    public Delivery retryAt(Integer statusCode, String error, Instant next, Instant now) {
        return new Delivery(seq, id, eventId, customerId, kind, targetId, url, endpoint, orderKey,
                DeliveryStatus.PENDING, attempts + 1, statusCode, error, next, windowStart, createdAt, now, null);
    }

    public Delivery failed(Integer statusCode, String error, Instant now) {
        return new Delivery(seq, id, eventId, customerId, kind, targetId, url, endpoint, orderKey,
                DeliveryStatus.FAILED, attempts + 1, statusCode, error, null, windowStart, createdAt, now, null);
    }

    /** Failed without an attempt (e.g. its target was deleted). */
    public Delivery abandoned(String error, Instant now) {
        return new Delivery(seq, id, eventId, customerId, kind, targetId, url, endpoint, orderKey,
                DeliveryStatus.FAILED, attempts, lastStatusCode, error, null, windowStart, createdAt, now, null);
    }
}
