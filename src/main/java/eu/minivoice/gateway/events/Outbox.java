package eu.minivoice.gateway.events;

import eu.minivoice.gateway.domain.Delivery;
import eu.minivoice.gateway.domain.IdGenerator;
import eu.minivoice.gateway.domain.OutboxItem;
import eu.minivoice.gateway.domain.StoredEvent;
import eu.minivoice.gateway.domain.WebhookUrl;
import eu.minivoice.gateway.store.OutboxStore;
import eu.minivoice.gateway.store.BatchWriter;
import eu.minivoice.gateway.store.RejectedDataException;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The durable outbox's single writer (docs/product.md §6). {@link #publish} never blocks (SIP and
 * registration threads call it): the event is queued, and one thread stores queued events
 * together with one delivery row per target in one transaction, then hands the committed
 * deliveries to the {@link DeliveryScheduler}. An event counts as accepted once committed; from
 * then on it is delivered at least once, across restarts. The same thread stores the deliveries'
 * state changes in batches. The queue of events is bounded ({@code capacity}); when it is full an
 * event is refused and counted, never waited for.
 */
public final class Outbox implements AutoCloseable {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Outbox.class);
    private static final int BATCH = 2_000;
    private static final long COMMIT_INTERVAL_MS = 10;

    private sealed interface Command {
    }

    /** An event and its deliveries; {@code recorded} are deliveries made already (the action fetch). */
    private record Append(StoredEvent event, List<Delivery> recorded, boolean resolveTargets,
                          Consumer<Integer> onStored) implements Command {
    }

    private record Update(Delivery delivery) implements Command {
    }

    /** Take over pending deliveries of others (a lost node's, or rows from before nodes). */
    private record Adopt(OutboxStore.Adoption from, String node, Consumer<Integer> onDone) implements Command {
    }

    /** Seq values are taken from the database in blocks of this many (one round trip per block). */
    private static final int SEQ_BLOCK = 10_000;
    private static final int ADOPT_BATCH = 1_000;

    private final OutboxStore store;
    private final WebhookDirectory directory;
    private final IdGenerator ids;
    private final Clock clock;
    private final BatchWriter<Command> writer;
    private volatile DeliveryScheduler scheduler;
    /** Writer thread only: the next seq to use and the end (exclusive) of the block it is from. */
    private long nextSeq;
    private long blockEnd;

    public Outbox(OutboxStore store, WebhookDirectory directory, IdGenerator ids, Clock clock, int capacity) {
        this.store = store;
        this.directory = directory;
        this.ids = ids;
        this.clock = clock;
        this.writer = new BatchWriter<>("outbox-writer", new BatchWriter.Sink<>() {
            @Override
            public void write(List<Command> batch) {
                Outbox.this.write(batch);
            }

            @Override
            public void dropped(Command c, RejectedDataException cause) {
                if (c instanceof Append a && a.onStored() != null) {
                    a.onStored().accept(-1);
                }
                if (c instanceof Adopt a && a.onDone() != null) {
                    a.onDone().accept(-1);
                }
            }
        }, capacity, BATCH, COMMIT_INTERVAL_MS);
    }

    /** Starts writing; committed deliveries go to {@code scheduler}. */
    public void start(DeliveryScheduler scheduler) {
        this.scheduler = scheduler;
        writer.start();
    }

    /**
     * Takes over the pending deliveries of others and sends them from this node, in batches on
     * the writer thread (so they get seqs in this node's commit order). {@code onDone} receives
     * how many were taken (-1: the database refused).
     */
    public void adopt(OutboxStore.Adoption from, String node, Consumer<Integer> onDone) {
        writer.add(new Adopt(from, node, onDone));
    }

    private long nextSeq() {
        if (nextSeq >= blockEnd) {
            nextSeq = store.takeSeqBlock(SEQ_BLOCK);
            blockEnd = nextSeq + SEQ_BLOCK;
        }
        return nextSeq++;
    }

    /** Accepts an event for its current targets. @return false when refused (queue full) */
    public boolean publish(StoredEvent event) {
        return enqueue(new Append(event, List.of(), true, null));
    }

    /**
     * Accepts an event together with a delivery already made (the action fetch, recorded with its
     * outcome); other targets with the same URL are not sent it again.
     */
    public boolean publishAfterFetch(StoredEvent event, Delivery fetch) {
        return enqueue(new Append(event, List.of(fetch), true, null));
    }

    /**
     * Delivers a stored event again to its current targets (POST /v1/events/{id}/redeliver).
     * {@code onStored} receives the number of new deliveries once they are committed (0: the
     * event has no target now; -1: the database refused them).
     */
    public boolean redeliver(StoredEvent event, Consumer<Integer> onStored) {
        return enqueue(new Append(event, List.of(), true, onStored));
    }

    /** A delivery's new state, from the scheduler. Never refused: these are bounded by held deliveries. */
    public void update(Delivery delivery) {
        writer.add(new Update(delivery));
    }

    /** An id for a delivery made outside the outbox (the action fetch), recorded afterwards. */
    public String newDeliveryId() {
        return ids.newOrderedId("dlv");
    }

    public long refusedCount() {
        return writer.refusedCount();
    }

    /** Events the database refused (e.g. a customer that does not exist): dropped, never retried. */
    public long droppedCount() {
        return writer.droppedCount();
    }

    public int queued() {
        return writer.queued();
    }

    private boolean enqueue(Append append) {
        return writer.offer(append);
    }

    /** Stores one batch in one transaction (the writer retries it, or splits it when the database refuses data). */
    private void write(List<Command> batch) {
        List<StoredEvent> events = new ArrayList<>();
        List<Delivery> inserts = new ArrayList<>();
        List<OutboxItem> toSend = new ArrayList<>();
        List<Delivery> updates = new ArrayList<>();
        List<Runnable> after = new ArrayList<>();
        List<Adopt> adoptions = new ArrayList<>();
        Instant now = clock.instant();
        for (Command c : batch) {
            if (c instanceof Update u) {
                updates.add(u.delivery());
                continue;
            }
            if (c instanceof Adopt a) {
                adoptions.add(a);
                continue;
            }
            Append a = (Append) c;
            boolean redelivery = a.onStored() != null;
            if (!redelivery) {
                events.add(a.event());
            }
            List<String> urlsDone = new ArrayList<>();
            for (Delivery recorded : a.recorded()) {
                inserts.add(recorded.withSeq(nextSeq()));
                urlsDone.add(recorded.url());
            }
            int created = 0;
            for (WebhookDirectory.Target t : directory.targets(a.event())) {
                if (urlsDone.contains(t.url())) {
                    continue;
                }
                Delivery d = Delivery.pending(nextSeq(), ids.newOrderedId("dlv"), a.event().id(), a.event().customerId(),
                        t.kind(), t.targetId(), t.url(), WebhookUrl.endpoint(t.url()), a.event().subjectId(), now);
                inserts.add(d);
                toSend.add(new OutboxItem(d, a.event().type(), a.event().payload()));
                created++;
            }
            if (redelivery) {
                int n = created;
                after.add(() -> a.onStored().accept(n));
            }
        }
        store.write(events, inserts, updates);
        DeliveryScheduler s = scheduler;
        if (s != null) {
            s.offer(toSend);
        }
        after.forEach(Runnable::run);
        for (Adopt a : adoptions) {
            adopt(a);
        }
    }

    /**
     * One adoption, batch by batch, each batch committed before the scheduler sees it. Failures
     * end here (the batch around it is stored already and must not be written twice); what was
     * not taken stays with its node for the next try.
     */
    private void adopt(Adopt a) {
        int total = 0;
        List<OutboxItem> taken;
        try {
            do {
                taken = store.adopt(a.from(), a.node(), this::nextSeq, ADOPT_BATCH);
                total += taken.size();
                DeliveryScheduler s = scheduler;
                if (s != null) {
                    s.offer(taken);
                }
            } while (taken.size() == ADOPT_BATCH);
        } catch (RuntimeException e) {
            log.warn("taking over pending deliveries ({} {}) stopped after {}: {}", a.from(), a.node(), total,
                    e.getMessage());
            total = -1;
        }
        if (a.onDone() != null) {
            a.onDone().accept(total);
        }
    }

    /** Stops after writing what is queued (bounded wait). */
    @Override
    public void close() {
        writer.close();
    }
}
