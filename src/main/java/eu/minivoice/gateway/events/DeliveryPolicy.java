package eu.minivoice.gateway.events;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Decides what an attempt's outcome means (docs/product.md §6): 2xx delivered; connection errors,
 * timeouts, TLS errors, 408, 429 and 5xx are retried with exponential backoff and jitter until the
 * delivery is older than the maximum age; any other status (3xx, other 4xx) is final. Pure: the
 * time and the random fraction come in as arguments, so every branch is unit-tested.
 */
public final class DeliveryPolicy {
    /** The verdict on one attempt. {@code nextAttemptAt} only for a retry. */
    public record Verdict(Kind kind, Instant nextAttemptAt, String error) {
        public enum Kind { DELIVERED, RETRY, FAILED }
    }

    private final Duration backoffMin;
    private final Duration backoffMax;
    private final Duration maxAge;

    public DeliveryPolicy(Duration backoffMin, Duration backoffMax, Duration maxAge) {
        this.backoffMin = backoffMin;
        this.backoffMax = backoffMax;
        this.maxAge = maxAge;
    }

    /**
     * @param attempts    attempts made so far, this one included
     * @param windowStart when the delivery was created (or redelivery asked for)
     * @param jitter      a random fraction in [0, 1)
     */
    public Verdict decide(HttpOutcome outcome, int attempts, Instant windowStart, Instant now, double jitter) {
        if (outcome.is2xx()) {
            return new Verdict(Verdict.Kind.DELIVERED, null, null);
        }
        String error = outcome.describe();
        if (!retryable(outcome)) {
            return new Verdict(Verdict.Kind.FAILED, null, error);
        }
        Duration delay = backoff(attempts, jitter);
        Duration asked = retryAfter(outcome.retryAfter(), now);
        if (asked != null && asked.compareTo(delay) > 0) {
            delay = asked.compareTo(backoffMax) > 0 ? backoffMax : asked;
        }
        Instant next = now.plus(delay);
        if (next.isAfter(windowStart.plus(maxAge))) {
            return new Verdict(Verdict.Kind.FAILED, null, "gave up after " + attempts + " attempt(s) over "
                    + maxAge.toSeconds() + " s; last: " + error);
        }
        return new Verdict(Verdict.Kind.RETRY, next, error);
    }

    static boolean retryable(HttpOutcome o) {
        if (o.failure() != null) {
            return true;
        }
        int s = o.status();
        return s == 408 || s == 429 || s >= 500;
    }

    /** Exponential, capped, with "equal jitter": between half and all of the step. */
    Duration backoff(int attempts, double jitter) {
        int shift = Math.min(Math.max(attempts - 1, 0), 30);
        long step = backoffMin.toMillis() << shift;
        if (step <= 0 || step > backoffMax.toMillis()) {
            step = backoffMax.toMillis();
        }
        return Duration.ofMillis(step / 2 + (long) (step / 2.0 * jitter));
    }

    /** Retry-After as delta-seconds or an HTTP date; null when absent or unreadable. */
    static Duration retryAfter(String header, Instant now) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String v = header.strip();
        if (v.matches("\\d{1,9}")) {
            return Duration.ofSeconds(Long.parseLong(v));
        }
        try {
            Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            return at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO;
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
