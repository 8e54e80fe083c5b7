package eu.minivoice.gateway.service;

import eu.minivoice.gateway.domain.StoredEvent;
import eu.minivoice.gateway.store.EventStore;
import eu.minivoice.gateway.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Stores events off the caller's thread: {@link #accept} never blocks (SIP and registration
 * threads call it), a single writer inserts in batches. The queue is bounded; when it is full an
 * event is refused, counted and logged, never waited for.
 */
public final class EventRecorder implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventRecorder.class);
    private static final int BATCH = 500;

    private final EventStore store;
    private final BlockingQueue<StoredEvent> queue;
    private final AtomicLong refused = new AtomicLong();
    private final Thread writer;
    private volatile boolean running = true;

    public EventRecorder(EventStore store, int capacity) {
        this.store = store;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.writer = new Thread(this::run, "event-writer");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    /** @return false when the queue is full (the event is counted as refused) */
    public boolean accept(StoredEvent event) {
        if (queue.offer(event)) {
            return true;
        }
        long n = refused.incrementAndGet();
        if (n == 1 || n % 1000 == 0) {
            log.error("event queue full: {} event(s) refused so far (latest {} {})", n, event.type(), event.subjectId());
        }
        return false;
    }

    public long refusedCount() {
        return refused.get();
    }

    private void run() {
        List<StoredEvent> batch = new ArrayList<>(BATCH);
        while (running || !queue.isEmpty()) {
            try {
                StoredEvent first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                writeWithRetry(batch);
                batch.clear();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** A database hiccup must not lose accepted events: retry the batch until it lands or we stop. */
    private void writeWithRetry(List<StoredEvent> batch) throws InterruptedException {
        long delay = 100;
        while (true) {
            try {
                store.insert(batch);
                return;
            } catch (StoreException e) {
                if (!running) {
                    log.error("shutting down: {} event(s) not stored: {}", batch.size(), e.getMessage());
                    return;
                }
                log.warn("storing {} event(s) failed, retrying in {} ms: {}", batch.size(), delay, e.getMessage());
                Thread.sleep(delay);
                delay = Math.min(delay * 2, 5_000);
            }
        }
    }

    /** Stops after writing what is queued (bounded wait). */
    @Override
    public void close() {
        running = false;
        try {
            writer.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
