package eu.minivoice.gateway.routing;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Concurrent-call and calls-per-second limits per key (a customer or a trunk). Calls per second is
 * a token bucket refilled continuously (burst = the rate), so 10 cps admits 10 at once and then one
 * every 100 ms. A slot taken by {@link #tryAcquire} must be given back by {@link #release} when
 * the call ends. The clock is injected (nanoseconds) so tests step it.
 */
public final class CallLimiter {
    /** Why a call was refused, or null when admitted. */
    public enum Refusal { CONCURRENT, RATE }

    private static final class Bucket {
        int active;
        double tokens = -1; // -1: not yet filled
        long lastNanos;
    }

    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final LongSupplier nanos;

    public CallLimiter(LongSupplier nanos) {
        this.nanos = nanos;
    }

    /**
     * Takes one call slot and one rate token for {@code key}, or neither.
     *
     * @param maxConcurrent null = unlimited
     * @param maxPerSecond  null = unlimited
     * @return null when admitted, else what the call would exceed
     */
    public Refusal tryAcquire(String key, Integer maxConcurrent, Integer maxPerSecond) {
        if (maxConcurrent == null && maxPerSecond == null) {
            buckets.computeIfAbsent(key, k -> new Bucket());
            Bucket b = buckets.get(key);
            synchronized (b) {
                b.active++;
            }
            return null;
        }
        Bucket b = buckets.computeIfAbsent(key, k -> new Bucket());
        synchronized (b) {
            if (maxConcurrent != null && b.active >= maxConcurrent) {
                return Refusal.CONCURRENT;
            }
            if (maxPerSecond != null) {
                long now = nanos.getAsLong();
                if (b.tokens < 0) {
                    b.tokens = maxPerSecond;
                } else {
                    b.tokens = Math.min(maxPerSecond, b.tokens + (now - b.lastNanos) / 1e9 * maxPerSecond);
                }
                b.lastNanos = now;
                if (b.tokens < 1) {
                    return Refusal.RATE;
                }
                b.tokens -= 1;
            }
            b.active++;
            return null;
        }
    }

    /** Gives back the call slot of an ended (or never started) call. */
    public void release(String key) {
        Bucket b = buckets.get(key);
        if (b != null) {
            synchronized (b) {
                if (b.active > 0) {
                    b.active--;
                }
            }
        }
    }

    public int active(String key) {
        Bucket b = buckets.get(key);
        if (b == null) {
            return 0;
        }
        synchronized (b) {
            return b.active;
        }
    }
}
