package eu.minivoice.gateway.service;

import eu.minivoice.gateway.domain.CallRecord;
import eu.minivoice.gateway.store.BatchWriter;
import eu.minivoice.gateway.store.CallStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Stores call records off the SIP threads: {@link #accept} never blocks; one {@link BatchWriter}
 * stores batches, keeping only the newest version of each call within a batch (a short call's
 * start, answer and end usually become one write, an insert). Bounded queue: when full, a version
 * is refused and counted (the next version of the same call still lands). A record the database
 * refuses is dropped and counted; it never holds back the others.
 */
public final class CallRecorder implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CallRecorder.class);
    private static final int BATCH = 1_000;
    private static final Set<String> FINAL = Set.copyOf(CallRecord.FINAL_STATUSES);

    private final CallStore store;
    private final BatchWriter<CallRecord> writer;
    /** Ids of calls stored but not ended (writer thread only): their next version is an update. */
    private final Set<String> unfinished = new HashSet<>();

    public CallRecorder(CallStore store, int capacity) {
        this.store = store;
        this.writer = new BatchWriter<>("call-recorder", this::write, capacity, BATCH, 10);
        this.writer.start();
    }

    public void accept(CallRecord record) {
        writer.offer(record);
    }

    /** Records the database refused (e.g. no customer): dropped so that later calls are recorded. */
    public long droppedCount() {
        return writer.droppedCount();
    }

    private void write(List<CallRecord> versions) {
        Map<String, CallRecord> newest = new LinkedHashMap<>();
        versions.forEach(r -> newest.put(r.id(), r));
        List<CallRecord> fresh = new ArrayList<>();
        List<CallRecord> changed = new ArrayList<>();
        for (CallRecord r : newest.values()) {
            (unfinished.contains(r.id()) ? changed : fresh).add(r);
        }
        List<String> foreign = store.store(fresh, changed);
        for (CallRecord r : newest.values()) {
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
        writer.close();
    }
}
