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
        /** Calls admitted so far (for the rate other nodes count against their limits). */
        long admitted;
        /** Whether the key had a limit at its last call: only limited keys are shared. */
        boolean limited;
    }

    /** Another nodes' use of a key (docs/scale-out.md): calls up now and admitted per second lately. */
    public record Usage(int active, double perSecond) {
    }

    /** This node's use of a limited key: calls up now and admitted in all so far. */
    public record LocalUse(int active, long admitted) {
    }

    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final LongSupplier nanos;
    /** What the other live nodes of a cluster use, counted against every limit here; empty alone. */
    private volatile Map<String, Usage> elsewhere = Map.of();

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
            Bucket b = buckets.computeIfAbsent(key, k -> new Bucket());
            synchronized (b) {
                b.active++;
                b.limited = false;
            }
            return null;
        }
        Bucket b = buckets.computeIfAbsent(key, k -> new Bucket());
        Usage other = elsewhere.get(key);
        int concurrent = maxConcurrent == null ? 0 : maxConcurrent - (other == null ? 0 : other.active());
        double rate = maxPerSecond == null ? 0 : Math.max(0, maxPerSecond - (other == null ? 0 : other.perSecond()));
        synchronized (b) {
            b.limited = true;
            if (maxConcurrent != null && b.active >= concurrent) {
                return Refusal.CONCURRENT;
            }
            if (maxPerSecond != null) {
                long now = nanos.getAsLong();
                if (b.tokens < 0) {
                    b.tokens = rate;
                } else {
                    b.tokens = Math.min(rate, b.tokens + (now - b.lastNanos) / 1e9 * rate);
                }
                b.lastNanos = now;
                if (b.tokens < 1) {
                    return Refusal.RATE;
                }
                b.tokens -= 1;
            }
            b.active++;
            b.admitted++;
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

    /**
     * Several nodes (docs/scale-out.md): what the other live nodes use now. Each limit here
     * admits only what they leave (concurrent: the limit minus their calls up; per second: the
     * rate minus theirs), so the limits hold across nodes up to what all admit within one
     * exchange (a heartbeat).
     */
    public void elsewhere(Map<String, Usage> usage) {
        this.elsewhere = Map.copyOf(usage);
    }

    /** This node's use of every limited key with calls up or admitted, for the other nodes. */
    public Map<String, LocalUse> localUse() {
        Map<String, LocalUse> out = new java.util.HashMap<>();
        buckets.forEach((key, b) -> {
            synchronized (b) {
                if (b.limited && (b.active > 0 || b.admitted > 0)) {
                    out.put(key, new LocalUse(b.active, b.admitted));
                }
            }
        });
        return out;
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
