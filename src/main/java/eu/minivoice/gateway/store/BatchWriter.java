package eu.minivoice.gateway.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The single writer behind the event outbox and the call recorder: callers queue items without
 * ever blocking, one thread stores them in batches (group commit), and one bad item never stops
 * the others.
 *
 * <p>How a failed batch is treated depends on why it failed:
 * <ul>
 *   <li>a database hiccup ({@link StoreException}): accepted data must not be lost, so the batch
 *       is written again with a doubling delay (up to 5 s) until it lands or the writer stops;</li>
 *   <li>data the database refuses ({@link RejectedDataException}: a constraint or a value it cannot
 *       hold): retrying would fail forever and hold every later item back, so the batch is written
 *       again one item at a time; an item refused on its own is dropped, counted and logged
 *       ({@link Sink#dropped}), and everything valid around it is stored.</li>
 * </ul>
 *
 * <p>Group commit: at most one batch per {@code commitInterval} unless a batch is full. Each
 * durable commit costs a file write; a few large commits cost far less than many small ones, for
 * a few milliseconds of added latency.
 */
public final class BatchWriter<T> implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BatchWriter.class);
    private static final long MAX_RETRY_DELAY_MS = 5_000;

    /** What the writer stores; called on the writer thread only. */
    public interface Sink<T> {
        /** Stores {@code batch} in one transaction, or throws {@link StoreException} having stored nothing. */
        void write(List<T> batch) throws InterruptedException;

        /** {@code item} was refused by the database even on its own and is dropped. */
        default void dropped(T item, RejectedDataException cause) {
        }
    }

    /** {@code counted}: the item holds a place in the bounded capacity until written. */
    private record Entry<T>(T item, boolean counted) {
    }

    private final String name;
    private final Sink<T> sink;
    private final int maxBatch;
    private final long commitIntervalNanos;
    private final int capacity;
    private final LinkedBlockingQueue<Entry<T>> queue = new LinkedBlockingQueue<>();
    private final AtomicInteger queuedCounted = new AtomicInteger();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * @param name           what is written, for the thread name and logs ("call-recorder")
     * @param capacity       how many {@link #offer}ed items may wait at once
     * @param maxBatch       the most items in one transaction
     * @param commitInterval the least time between two commits, in milliseconds
     */
    public BatchWriter(String name, Sink<T> sink, int capacity, int maxBatch, long commitInterval) {
        this.name = name;
        this.sink = sink;
        this.capacity = capacity;
        this.maxBatch = maxBatch;
        this.commitIntervalNanos = TimeUnit.MILLISECONDS.toNanos(commitInterval);
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** Queues {@code item} within the capacity. @return false when refused (full, or stopping): counted and logged */
    public boolean offer(T item) {
        if (!running || queuedCounted.incrementAndGet() > capacity) {
            queuedCounted.decrementAndGet();
            long n = refused.incrementAndGet();
            if (n == 1 || n % 1000 == 0) {
                log.error("{}: queue full, {} item(s) refused so far", name, n);
            }
            return false;
        }
        queue.add(new Entry<>(item, true));
        return true;
    }

    /** Queues {@code item} outside the capacity: for items whose number is bounded elsewhere. */
    public void add(T item) {
        queue.add(new Entry<>(item, false));
    }

    /** Items {@link #offer}ed and not yet written. */
    public int queued() {
        return queuedCounted.get();
    }

    /** Items refused because the queue was full. */
    public long refusedCount() {
        return refused.get();
    }

    /** Items the database refused, dropped so that the others are stored. */
    public long droppedCount() {
        return dropped.get();
    }

    private void run() {
        List<Entry<T>> entries = new ArrayList<>(maxBatch);
        long lastCommit = System.nanoTime() - commitIntervalNanos;
        while (running || !queue.isEmpty()) {
            try {
                Entry<T> first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                long wait = lastCommit + commitIntervalNanos - System.nanoTime();
                if (wait > 0 && queue.size() < maxBatch - 1) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                entries.add(first);
                queue.drainTo(entries, maxBatch - 1);
                lastCommit = System.nanoTime();
                List<T> batch = new ArrayList<>(entries.size());
                int counted = 0;
                for (Entry<T> e : entries) {
                    batch.add(e.item());
                    counted += e.counted() ? 1 : 0;
                }
                entries.clear();
                store(batch);
                queuedCounted.addAndGet(-counted);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void store(List<T> batch) throws InterruptedException {
        try {
            writeRetryingHiccups(batch);
        } catch (RejectedDataException e) {
            if (batch.size() == 1) {
                drop(batch.get(0), e);
                return;
            }
            log.warn("{}: the database refused a batch of {} ({}); writing its items one by one", name, batch.size(),
                    e.getMessage());
            for (T item : batch) {
                try {
                    writeRetryingHiccups(List.of(item));
                } catch (RejectedDataException single) {
                    drop(item, single);
                }
            }
        }
    }

    private void drop(T item, RejectedDataException e) {
        long n = dropped.incrementAndGet();
        if (n <= 10 || n % 1000 == 0) {
            log.error("{}: an item the database refuses was dropped ({} so far): {}", name, n, e.getMessage());
        }
        try {
            sink.dropped(item, e);
        } catch (RuntimeException bug) {
            log.error("{}: dropped-item handler failed", name, bug);
        }
    }

    private void writeRetryingHiccups(List<T> batch) throws InterruptedException {
        long delay = 100;
        while (true) {
            StoreException retry;
            try {
                sink.write(batch);
                return;
            } catch (RejectedDataException e) {
                throw e;
            } catch (StoreException e) {
                retry = e;
            } catch (RuntimeException e) {
                // A bug met by one item (not the database's answer) is treated like refused data, so
                // that it costs that item alone.
                throw new RejectedDataException("unexpected error: " + e, e);
            }
            if (!running) {
                log.error("{}: shutting down, {} item(s) not stored: {}", name, batch.size(), retry.getMessage());
                return;
            }
            log.warn("{}: storing {} item(s) failed, retrying in {} ms: {}", name, batch.size(), delay,
                    retry.getMessage());
            Thread.sleep(delay);
            delay = Math.min(delay * 2, MAX_RETRY_DELAY_MS);
        }
    }

    /** Stops taking items and writes what is queued (bounded wait). */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
