package eu.minivoice.gateway.api;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows down key guessing: an address with more than {@code maxFailures} failed authentications
 * within {@code windowSeconds} gets 429 with Retry-After for the rest of the window — before its
 * key is even looked at. A success does not wipe the count (a tenant with a valid key of its own
 * must not reset its guessing of others' keys). Memory is bounded: past {@code maxAddresses}
 * tracked addresses, expired windows are dropped, and if that is not enough the whole table (a
 * flood from many addresses is then throttled from a fresh start, never remembered without bound).
 */
public final class AuthThrottle {
    private static final int MAX_ADDRESSES = 100_000;

    private record Window(long startMillis, int failures) {
    }

    private final Clock clock;
    private final int maxFailures;
    private final long windowMillis;
    private final Map<String, Window> byAddress = new ConcurrentHashMap<>();

    public AuthThrottle(Clock clock, int maxFailures, int windowSeconds) {
        this.clock = clock;
        this.maxFailures = maxFailures;
        this.windowMillis = windowSeconds * 1000L;
    }

    /** @return seconds to wait before trying again, or 0 when the address may try now */
    public long retryAfterSeconds(String address) {
        Window w = byAddress.get(address);
        long now = clock.millis();
        if (w == null || now - w.startMillis() >= windowMillis || w.failures() <= maxFailures) {
            return 0;
        }
        return Math.max(1, (w.startMillis() + windowMillis - now + 999) / 1000);
    }

    public void failed(String address) {
        long now = clock.millis();
        if (byAddress.size() >= MAX_ADDRESSES) {
            byAddress.values().removeIf(w -> now - w.startMillis() >= windowMillis);
            if (byAddress.size() >= MAX_ADDRESSES) {
                byAddress.clear();
            }
        }
        byAddress.compute(address, (a, w) -> w == null || now - w.startMillis() >= windowMillis
                ? new Window(now, 1) : new Window(w.startMillis(), w.failures() + 1));
    }
}
