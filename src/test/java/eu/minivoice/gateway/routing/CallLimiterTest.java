package eu.minivoice.gateway.routing;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class CallLimiterTest {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final CallLimiter limiter = new CallLimiter(nanos::get);

    @Test
    void concurrentCallsAreCappedAndReleased() {
        assertNull(limiter.tryAcquire("k", 2, null));
        assertNull(limiter.tryAcquire("k", 2, null));
        assertEquals(CallLimiter.Refusal.CONCURRENT, limiter.tryAcquire("k", 2, null));
        limiter.release("k");
        assertNull(limiter.tryAcquire("k", 2, null));
        assertEquals(2, limiter.active("k"));
    }

    @Test
    void callsPerSecondAllowABurstThenRefillSteadily() {
        for (int i = 0; i < 10; i++) {
            assertNull(limiter.tryAcquire("r", null, 10), "burst " + i);
            limiter.release("r");
        }
        assertEquals(CallLimiter.Refusal.RATE, limiter.tryAcquire("r", null, 10));
        nanos.addAndGet(99_000_000L);
        assertEquals(CallLimiter.Refusal.RATE, limiter.tryAcquire("r", null, 10), "99 ms: not yet a token");
        nanos.addAndGet(2_000_000L);
        assertNull(limiter.tryAcquire("r", null, 10), "101 ms: one token");
        assertEquals(CallLimiter.Refusal.RATE, limiter.tryAcquire("r", null, 10));
    }

    @Test
    void aRefusedCallTakesNothing() {
        assertNull(limiter.tryAcquire("c", 1, 100));
        assertEquals(CallLimiter.Refusal.CONCURRENT, limiter.tryAcquire("c", 1, 100));
        assertEquals(1, limiter.active("c"));
        assertNull(limiter.tryAcquire("u", null, null));
        assertEquals(1, limiter.active("u"), "unlimited keys still count their calls");
    }
}
