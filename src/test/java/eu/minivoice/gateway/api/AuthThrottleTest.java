package eu.minivoice.gateway.api;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AuthThrottleTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(now.get());
        }
    };

    @Test
    void anAddressIsSlowedDownAfterTooManyFailuresUntilTheWindowEnds() {
        AuthThrottle t = new AuthThrottle(clock, 3, 60);
        for (int i = 0; i < 3; i++) {
            t.failed("203.0.113.7");
            assertEquals(0, t.retryAfterSeconds("203.0.113.7"), "within the allowance");
        }
        t.failed("203.0.113.7");
        assertEquals(60, t.retryAfterSeconds("203.0.113.7"));
        assertEquals(0, t.retryAfterSeconds("198.51.100.1"), "other addresses are not affected");
        now.addAndGet(45_000);
        assertEquals(15, t.retryAfterSeconds("203.0.113.7"));
        now.addAndGet(15_000);
        assertEquals(0, t.retryAfterSeconds("203.0.113.7"), "a new window");
        t.failed("203.0.113.7");
        assertTrue(t.retryAfterSeconds("203.0.113.7") == 0);
    }
}
