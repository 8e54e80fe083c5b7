package eu.minivoice.gateway.store;

import eu.minivoice.gateway.support.Await;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class BatchWriterTest {
    /** A store that refuses "poison" with a constraint error and is down for the first {@code outages} writes. */
    private static final class FlakyStore implements BatchWriter.Sink<String> {
        final List<String> stored = new CopyOnWriteArrayList<>();
        final List<String> dropped = new CopyOnWriteArrayList<>();
        final AtomicInteger outages;

        FlakyStore(int outages) {
            this.outages = new AtomicInteger(outages);
        }

        @Override
        public void write(List<String> batch) {
            if (outages.getAndDecrement() > 0) {
                throw new StoreException("connection refused", null);
            }
            if (batch.contains("poison")) {
                throw new RejectedDataException("NULL not allowed for column customer_id", null);
            }
            if (batch.contains("bug")) {
                throw new NullPointerException("a bug met by one item");
            }
            stored.addAll(batch);
        }

        @Override
        public void dropped(String item, RejectedDataException cause) {
            dropped.add(item);
        }
    }

    @Test
    void anItemTheDatabaseRefusesIsDroppedAndTheOthersAreStored() {
        FlakyStore store = new FlakyStore(0);
        try (BatchWriter<String> w = new BatchWriter<>("test-writer", store, 100, 10, 50)) {
            w.start();
            for (String s : List.of("a", "poison", "b", "bug", "c")) {
                w.offer(s);
            }
            Await.until("stored", () -> store.stored.size() == 3 ? store.stored : null, x -> true, Duration.ofSeconds(5));
            w.offer("d");
            Await.until("later item stored", () -> store.stored.contains("d") ? true : null, x -> true,
                    Duration.ofSeconds(5));
            assertEquals(List.of("a", "b", "c", "d"), store.stored);
            assertEquals(List.of("poison", "bug"), store.dropped);
            assertEquals(2, w.droppedCount());
            assertEquals(0, w.queued());
        }
    }

    @Test
    void aDatabaseOutageIsRetriedUntilTheBatchLands() {
        FlakyStore store = new FlakyStore(2);
        try (BatchWriter<String> w = new BatchWriter<>("test-writer", store, 100, 10, 1)) {
            w.start();
            w.offer("a");
            w.offer("b");
            Await.until("stored after the outage", () -> store.stored.size() == 2 ? true : null, x -> true,
                    Duration.ofSeconds(5));
            assertEquals(List.of("a", "b"), store.stored);
            assertEquals(0, w.droppedCount());
        }
    }

    @Test
    void offersBeyondTheCapacityAreRefusedButAddsAreNot() throws Exception {
        java.util.concurrent.CountDownLatch hold = new java.util.concurrent.CountDownLatch(1);
        List<String> stored = new CopyOnWriteArrayList<>();
        BatchWriter.Sink<String> slow = batch -> {
            hold.await();
            stored.addAll(batch);
        };
        try (BatchWriter<String> w = new BatchWriter<>("test-writer", slow, 2, 1, 0)) {
            w.start();
            w.offer("first");
            Await.until("first taken", () -> w.queued() == 1 ? true : null, x -> true, Duration.ofSeconds(5));
            w.offer("second");
            assertFalse(w.offer("third"), "capacity 2 is used up");
            w.add("update");
            assertEquals(1, w.refusedCount());
            hold.countDown();
            Await.until("all stored", () -> stored.size() == 3 ? true : null, x -> true, Duration.ofSeconds(5));
            assertEquals(List.of("first", "second", "update"), stored);
        }
    }
}
