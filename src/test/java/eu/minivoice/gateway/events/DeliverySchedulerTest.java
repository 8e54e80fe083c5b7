package eu.minivoice.gateway.events;

import eu.minivoice.gateway.domain.Delivery;
import eu.minivoice.gateway.domain.DeliveryStatus;
import eu.minivoice.gateway.domain.OutboxItem;
import eu.minivoice.gateway.domain.StoredEvent;
import eu.minivoice.gateway.domain.TargetKind;
import eu.minivoice.gateway.store.OutboxStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The scheduler against an in-memory store and a client whose answers the test controls. */
class DeliverySchedulerTest {
    private static final String DEAD = "http://dead.example:80";
    private static final String FAST = "http://fast.example:80";

    /** Committed deliveries by seq; the scheduler's updates land here synchronously. */
    private final Map<Long, OutboxItem> rows = new ConcurrentHashMap<>();
    private final List<String> sent = new CopyOnWriteArrayList<>();
    private final Map<String, List<CompletableFuture<HttpOutcome>>> open = new ConcurrentHashMap<>();
    private final WebhookDirectory directory = new WebhookDirectory();
    private DeliveryScheduler scheduler;
    /** Per URL host: what the fake client answers; null = never answers (the test completes it). */
    private final Map<String, java.util.function.Function<String, HttpOutcome>> behaviour = new ConcurrentHashMap<>();

    private final OutboxStore store = new OutboxStore() {
        @Override
        public long takeSeqBlock(int size) {
            return rows.keySet().stream().mapToLong(Long::longValue).max().orElse(0) + 1;
        }

        @Override
        public List<OutboxItem> adopt(Adoption from, String node, java.util.function.LongSupplier nextSeq, int limit) {
            return List.of();
        }

        @Override
        public void write(List<StoredEvent> events, List<Delivery> inserts, List<Delivery> updates) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<String> pendingEndpoints() {
            return rows.values().stream().filter(o -> o.delivery().status() == DeliveryStatus.PENDING)
                    .map(o -> o.delivery().endpoint()).distinct().toList();
        }

        @Override
        public List<OutboxItem> pending(String endpoint, long afterSeq, int limit) {
            return new TreeMap<>(rows).values().stream()
                    .filter(o -> o.delivery().status() == DeliveryStatus.PENDING && o.delivery().endpoint().equals(endpoint)
                            && o.delivery().seq() > afterSeq).limit(limit).toList();
        }

        @Override
        public List<StoredEvent> events(String c, String t, DeliveryStatus s, String b, int l) {
            return List.of();
        }

        @Override
        public Optional<StoredEvent> event(String customerId, String eventId) {
            return Optional.empty();
        }

        @Override
        public Map<String, List<Delivery>> deliveries(List<String> eventIds) {
            return Map.of();
        }
    };

    private final WebhookClient client = new WebhookClient() {
        @Override
        public CompletableFuture<HttpOutcome> post(URI url, Map<String, String> headers, byte[] body, Duration timeout,
                                                   int max) {
            String id = headers.get("X-MiniVoice-Delivery");
            sent.add(id);
            var b = behaviour.get(url.getHost());
            if (b != null) {
                return CompletableFuture.completedFuture(b.apply(id));
            }
            CompletableFuture<HttpOutcome> f = new CompletableFuture<>();
            open.computeIfAbsent(url.getHost(), k -> new CopyOnWriteArrayList<>()).add(f);
            return f;
        }

        @Override
        public void close() {
        }
    };

    private void start(int inFlight, int perEndpoint, int total) {
        directory.putApplication(new eu.minivoice.gateway.domain.Application("app_1", "cust_1", "a", "http://x/",
                null, null, "whsec_0123456789abcdef", Instant.EPOCH, Instant.EPOCH));
        scheduler = new DeliveryScheduler(store, client, directory,
                new DeliveryPolicy(Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofHours(1)),
                new DeliveryScheduler.Settings(inFlight, perEndpoint, total, Duration.ofSeconds(1), 1024),
                Clock.systemUTC(), () -> 0.0,
                d -> rows.computeIfPresent(d.seq(), (k, o) -> new OutboxItem(d, o.eventType(), o.payload())));
        scheduler.start();
    }

    @AfterEach
    void stop() {
        if (scheduler != null) {
            scheduler.close();
        }
    }

    private long seq;

    private List<OutboxItem> commit(String endpoint, String orderKey, int n) {
        List<OutboxItem> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long s = ++seq;
            Delivery d = Delivery.pending(s, "dlv_" + s, "evt_" + s, "cust_1", TargetKind.APPLICATION, "app_1",
                    endpoint + "/hook", endpoint, orderKey, Instant.now());
            OutboxItem o = new OutboxItem(d, "call.ringing", "{\"n\":" + s + "}");
            rows.put(s, o);
            out.add(o);
        }
        return out;
    }

    private static HttpOutcome ok() {
        return HttpOutcome.answered(200, new byte[0], false, null, null);
    }

    private long delivered() {
        return rows.values().stream().filter(o -> o.delivery().status() == DeliveryStatus.DELIVERED).count();
    }

    @Test
    void aDeadEndpointHoldsBoundedMemoryAndDoesNotDelayOthers() throws Exception {
        behaviour.put("fast.example", id -> ok());
        start(2, 10, 15);
        scheduler.offer(commit(DEAD, null, 500));
        scheduler.offer(commit(FAST, null, 5));
        long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (delivered() < 5 && System.nanoTime() < until) {
            Thread.sleep(5);
        }
        assertEquals(5, delivered(), "the other endpoint's deliveries went out at once");
        scheduler.awaitIdle();
        DeliveryScheduler.Stats s = scheduler.stats();
        assertTrue(s.held() <= 15, "held " + s.held());
        assertEquals(2, open.get("dead.example").size(), "in flight to the dead endpoint");

        // The dead endpoint recovers: everything pages back in from the store, each sent once.
        behaviour.put("dead.example", id -> ok());
        open.get("dead.example").forEach(f -> f.complete(ok()));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (delivered() < 505 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(505, delivered());
        assertEquals(505, sent.size(), "no delivery sent twice");
        assertEquals(505, new HashSet<>(sent).size());
        scheduler.awaitIdle();
        assertTrue(scheduler.stats().held() == 0, "nothing left held: " + scheduler.stats());
    }

    @Test
    void oneCallsDeliveriesGoOutInOrderThroughRetries() throws Exception {
        Set<String> failedOnce = ConcurrentHashMap.newKeySet();
        List<String> succeeded = new CopyOnWriteArrayList<>();
        behaviour.put("fast.example", id -> {
            if (failedOnce.add(id)) {
                return HttpOutcome.answered(503, new byte[0], false, null, null);
            }
            succeeded.add(id);
            return ok();
        });
        start(8, 100, 100);
        List<OutboxItem> call1 = commit(FAST, "call_1", 10);
        List<OutboxItem> call2 = commit(FAST, "call_2", 10);
        List<OutboxItem> all = new ArrayList<>(call1);
        all.addAll(call2);
        scheduler.offer(all);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (delivered() < 20 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(20, delivered());
        assertEquals(call1.stream().map(o -> o.delivery().id()).toList(),
                succeeded.stream().filter(id -> call1.stream().anyMatch(o -> o.delivery().id().equals(id))).toList());
        assertEquals(call2.stream().map(o -> o.delivery().id()).toList(),
                succeeded.stream().filter(id -> call2.stream().anyMatch(o -> o.delivery().id().equals(id))).toList());
        assertEquals(2, rows.get(1L).delivery().attempts());
        assertEquals(2, sent.stream().filter("dlv_1"::equals).count(), "503 first, then 200");
    }

    @Test
    void aRestartsBacklogIsPagedInFromTheStore() throws Exception {
        behaviour.put("fast.example", id -> ok());
        commit(FAST, "call_9", 50); // committed before this scheduler started: only the store knows them
        start(4, 20, 20);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (delivered() < 50 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(50, delivered());
        assertEquals(50, sent.size());
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= 50; i++) {
            expected.add("dlv_" + i);
        }
        assertEquals(expected, sent, "in order, once each");
    }
}
