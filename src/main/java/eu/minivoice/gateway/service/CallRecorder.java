package eu.minivoice.gateway.service;

import eu.minivoice.gateway.domain.CallRecord;
import eu.minivoice.gateway.store.CallStore;
import eu.minivoice.gateway.store.StoreRetry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Stores call records off the SIP threads: {@link #accept} never blocks; one writer stores
 * batches, keeping only the newest version of each call within a batch (a short call's start,
 * answer and end usually become one write, an insert). Bounded queue: when full, a version is refused and
 * counted (the next version of the same call still lands).
 */
public final class CallRecorder implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CallRecorder.class);
    private static final int BATCH = 1_000;

    private final CallStore store;
    private final BlockingQueue<CallRecord> queue;
    private final AtomicLong refused = new AtomicLong();
    private final Thread writer;
    /** Ids of calls stored but not ended (writer thread only): their next version is an update. */
    private final Set<String> unfinished = new HashSet<>();
    private static final Set<String> FINAL = Set.of("completed", "failed", "busy", "no_answer", "canceled");
    private volatile boolean running = true;

    public CallRecorder(CallStore store, int capacity) {
        this.store = store;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.writer = new Thread(this::run, "call-recorder");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    public void accept(CallRecord record) {
        if (!queue.offer(record)) {
            long n = refused.incrementAndGet();
            if (n == 1 || n % 1000 == 0) {
                log.error("call record queue full: {} version(s) refused so far", n);
            }
        }
    }

    private void run() {
        List<CallRecord> drained = new ArrayList<>(BATCH);
        while (running || !queue.isEmpty()) {
            try {
                CallRecord first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                TimeUnit.MILLISECONDS.sleep(10); // group a few milliseconds of changes into one commit
                drained.add(first);
                queue.drainTo(drained, BATCH - 1);
                Map<String, CallRecord> newest = new LinkedHashMap<>();
                drained.forEach(r -> newest.put(r.id(), r));
                write(newest.values());
                drained.clear();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void write(Collection<CallRecord> batch) throws InterruptedException {
        List<CallRecord> fresh = new ArrayList<>();
        List<CallRecord> changed = new ArrayList<>();
        for (CallRecord r : batch) {
            (unfinished.contains(r.id()) ? changed : fresh).add(r);
        }
        List<String> foreign = new ArrayList<>();
        StoreRetry.untilStored(batch.size() + " call record(s)", () -> foreign.addAll(store.store(fresh, changed)),
                () -> running, log);
        for (CallRecord r : batch) {
            if (FINAL.contains(r.status())) {
                unfinished.remove(r.id());
            } else {
                unfinished.add(r.id());
            }
        }
        if (!foreign.isEmpty()) {
            log.warn("{} call record(s) not stored: their id belongs to another customer's call", foreign.size());
        }
    }

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
