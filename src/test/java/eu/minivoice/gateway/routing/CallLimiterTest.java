package eu.minivoice.gateway.routing;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    @Test
    void whatOtherNodesUseCountsAgainstTheLimitsHere() {
        // Another node has 3 of the 5 calls up, and admits 8 of the 10 per second of another key.
        limiter.elsewhere(java.util.Map.of("cust", new CallLimiter.Usage(3, 0), "rate", new CallLimiter.Usage(0, 8)));
        assertNull(limiter.tryAcquire("cust", 5, null));
        assertNull(limiter.tryAcquire("cust", 5, null));
        assertEquals(CallLimiter.Refusal.CONCURRENT, limiter.tryAcquire("cust", 5, null), "3 elsewhere + 2 here");
        assertNull(limiter.tryAcquire("rate", null, 10));
        assertNull(limiter.tryAcquire("rate", null, 10));
        assertEquals(CallLimiter.Refusal.RATE, limiter.tryAcquire("rate", null, 10), "8/s elsewhere leaves 2");
        assertEquals(new CallLimiter.LocalUse(2, 2), limiter.localUse().get("cust"));

        limiter.elsewhere(java.util.Map.of()); // the other node is gone: the whole limit is here again
        assertNull(limiter.tryAcquire("cust", 5, null));
        assertTrue(limiter.localUse().keySet().containsAll(java.util.Set.of("cust", "rate")));
    }

    @Test
    void onlyLimitedKeysAreShared() {
        assertNull(limiter.tryAcquire("free", null, null));
        assertNull(limiter.tryAcquire("capped", 10, null));
        assertEquals(java.util.Set.of("capped"), limiter.localUse().keySet());
    }
}
