package eu.minivoice.gateway.sip.logging;

import java.util.concurrent.atomic.AtomicLong;

/**
 * At most one report per window for something that can happen thousands of times a second
 * (scanner floods, malformed datagrams): the other occurrences are only counted, and the count
 * goes into the next report. Lock-free; safe from any thread.
 */
public final class LogThrottle {
    private final long windowNanos;
    private final AtomicLong nextReport = new AtomicLong(System.nanoTime());
    private final AtomicLong suppressed = new AtomicLong();

    public LogThrottle(long windowNanos) {
        this.windowNanos = windowNanos;
    }

    /** @return -1 when this occurrence is only counted; else report it, with this many counted since the last report */
    public long occurred() {
        long now = System.nanoTime();
        long next = nextReport.get();
        if (now - next >= 0 && nextReport.compareAndSet(next, now + windowNanos)) {
            return suppressed.getAndSet(0);
        }
        suppressed.incrementAndGet();
        return -1;
    }
}
