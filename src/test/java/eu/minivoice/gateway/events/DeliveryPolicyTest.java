package eu.minivoice.gateway.events;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static eu.minivoice.gateway.events.DeliveryPolicy.Verdict.Kind.DELIVERED;
import static eu.minivoice.gateway.events.DeliveryPolicy.Verdict.Kind.FAILED;
import static eu.minivoice.gateway.events.DeliveryPolicy.Verdict.Kind.RETRY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeliveryPolicyTest {
    private static final Instant T0 = Instant.parse("2026-05-29T12:00:00Z");
    private final DeliveryPolicy policy = new DeliveryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(60),
            Duration.ofHours(1));

    private DeliveryPolicy.Verdict status(int code) {
        return policy.decide(HttpOutcome.answered(code, new byte[0], false, null, null), 1, T0, T0, 0.5);
    }

    @Test
    void twoHundredsAreDeliveredOther4xxAnd3xxAreFinal() {
        assertEquals(DELIVERED, status(200).kind());
        assertEquals(DELIVERED, status(204).kind());
        assertEquals(FAILED, status(400).kind());
        assertEquals(FAILED, status(404).kind());
        assertEquals(FAILED, status(410).kind());
        assertEquals(FAILED, status(301).kind());
        assertTrue(status(302).error().contains("redirect not followed"));
    }

    @Test
    void networkErrorsTimeouts408429And5xxAreRetried() {
        for (int code : new int[] {408, 429, 500, 502, 503, 504}) {
            assertEquals(RETRY, status(code).kind(), "HTTP " + code);
        }
        for (HttpOutcome.Failure f : HttpOutcome.Failure.values()) {
            assertEquals(RETRY, policy.decide(HttpOutcome.failed(f, "x"), 1, T0, T0, 0.5).kind(), f.name());
        }
    }

    @Test
    void backoffDoublesWithJitterUpToTheCap() {
        assertEquals(Duration.ofMillis(500), policy.backoff(1, 0.0));
        assertEquals(Duration.ofMillis(999), policy.backoff(1, 0.999));
        assertEquals(Duration.ofMillis(2000), policy.backoff(3, 0.0)); // 4 s step, half of it
        assertEquals(Duration.ofSeconds(30), policy.backoff(20, 0.0)); // capped at 60 s
        assertEquals(Duration.ofSeconds(60), policy.backoff(40, 1.0));
    }

    @Test
    void retryAfterIsHonouredUpToTheCap() {
        HttpOutcome o = HttpOutcome.answered(429, new byte[0], false, "30", null);
        assertEquals(T0.plusSeconds(30), policy.decide(o, 1, T0, T0, 0.0).nextAttemptAt());
        o = HttpOutcome.answered(503, new byte[0], false, "99999", null);
        assertEquals(T0.plusSeconds(60), policy.decide(o, 1, T0, T0, 0.0).nextAttemptAt());
        o = HttpOutcome.answered(503, new byte[0], false, "Fri, 29 May 2026 12:00:10 GMT", null);
        assertEquals(T0.plusSeconds(10), policy.decide(o, 1, T0, T0, 0.0).nextAttemptAt());
    }

    @Test
    void givesUpOnceTheMaximumAgeWouldBePassed() {
        HttpOutcome o = HttpOutcome.answered(503, new byte[0], false, null, null);
        Instant late = T0.plus(Duration.ofMinutes(59)).plusSeconds(45);
        DeliveryPolicy.Verdict v = policy.decide(o, 12, T0, late, 0.5);
        assertEquals(FAILED, v.kind());
        assertTrue(v.error().startsWith("gave up after 12 attempt(s)"), v.error());
    }
}
