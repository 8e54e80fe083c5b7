package eu.minivoice.gateway.events;

import eu.minivoice.gateway.domain.Delivery;
import eu.minivoice.gateway.domain.OutboxItem;
import eu.minivoice.gateway.store.OutboxStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;

/**
 * Sends stored deliveries, one thread owning all state (no locks), everything else asynchronous:
 * <ul>
 * <li>per-call order: deliveries with the same URL and order key form a chain; only its head is
 *     in flight or waiting for a retry, the next goes when the head is delivered or has failed;</li>
 * <li>fairness: each endpoint (scheme://host:port) has its own ready queue and at most
 *     {@code maxInFlightPerEndpoint} requests out, so a slow endpoint only slows itself;</li>
 * <li>bounded memory: at most {@code maxPendingPerEndpoint} and {@code maxPendingTotal}
 *     deliveries are held; beyond that an endpoint "overflows" and its further deliveries stay
 *     in the database only, paged back in (by seq) as its backlog drains.</li>
 * </ul>
 * Every new state is handed to {@code persist} (the outbox writer stores it in batches).
 */
public final class DeliveryScheduler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DeliveryScheduler.class);
    private static final long TICK_MILLIS = 250;

    public record Settings(int maxInFlightPerEndpoint, int maxPendingPerEndpoint, int maxPendingTotal,
                           Duration timeout, int maxResponseBytes) {
    }

    /** A point-in-time view for /metrics, tests and benchmarks. */
    public record Stats(int held, int inFlight, int waitingRetry, int overflowedEndpoints, long delivered,
                        long failed, long retried) {
    }

    private static final class Item {
        Delivery delivery;
        final String eventType;
        final byte[] body;
        final String chainKey;

        Item(OutboxItem o) {
            this.delivery = o.delivery();
            this.eventType = o.eventType();
            this.body = o.payload().getBytes(StandardCharsets.UTF_8);
            this.chainKey = o.delivery().url() + "\n"
                    + (o.delivery().orderKey() != null ? o.delivery().orderKey() : o.delivery().id());
        }
    }

    private static final class Endpoint {
        final String key;
        final ArrayDeque<Item> ready = new ArrayDeque<>();
        int inFlight;
        int held;
        boolean overflow;
        /** Deliveries of this endpoint with seq up to here are held or done: never load them twice. */
        long seenUpTo;

        Endpoint(String key) {
            this.key = key;
        }
    }

    private final OutboxStore store;
    private final WebhookClient client;
    private final WebhookDirectory directory;
    private final DeliveryPolicy policy;
    private final Settings settings;
    private final Clock clock;
    private final DoubleSupplier jitter;
    private final Consumer<Delivery> persist;
    /** Told how long each POST took (the metrics); never blocks. */
    private final Consumer<java.time.Duration> attemptTook;

    private final LinkedBlockingQueue<Runnable> inbox = new LinkedBlockingQueue<>();
    private final Map<String, Endpoint> endpoints = new HashMap<>();
    private final Map<String, ArrayDeque<Item>> chains = new HashMap<>();
    private final PriorityQueue<Item> timers =
            new PriorityQueue<>(Comparator.comparing((Item i) -> i.delivery.nextAttemptAt()));
    private final Set<Endpoint> overflowed = new LinkedHashSet<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Stats stats = new Stats(0, 0, 0, 0, 0, 0, 0);
    private int heldTotal;
    private int inFlightTotal;
    private long delivered;
    private long failed;
    private long retried;
    private long nextTick;

    public DeliveryScheduler(OutboxStore store, WebhookClient client, WebhookDirectory directory, DeliveryPolicy policy,
                             Settings settings, Clock clock, DoubleSupplier jitter, Consumer<Delivery> persist) {
        this(store, client, directory, policy, settings, clock, jitter, persist, took -> { });
    }

    public DeliveryScheduler(OutboxStore store, WebhookClient client, WebhookDirectory directory, DeliveryPolicy policy,
                             Settings settings, Clock clock, DoubleSupplier jitter, Consumer<Delivery> persist,
                             Consumer<java.time.Duration> attemptTook) {
        this.attemptTook = attemptTook;
        this.store = store;
        this.client = client;
        this.directory = directory;
        this.policy = policy;
        this.settings = settings;
        this.clock = clock;
        this.jitter = jitter;
        this.persist = persist;
        this.thread = new Thread(this::run, "webhook-dispatcher");
        this.thread.setDaemon(true);
    }

    /** Starts sending, beginning with what the database holds from before (a restart's backlog). */
    public void start() {
        inbox.add(() -> {
            List<String> backlog;
            try {
                backlog = store.pendingEndpoints();
            } catch (RuntimeException e) {
                log.error("cannot read the pending deliveries; retrying on the next tick: {}", e.getMessage());
                backlog = List.of();
                inbox.add(this::loadBacklogLater);
            }
            for (String key : backlog) {
                Endpoint ep = endpoint(key);
                ep.overflow = true;
                overflowed.add(ep);
            }
            if (!backlog.isEmpty()) {
                log.info("webhook backlog: pending deliveries to {} endpoint(s)", backlog.size());
            }
            pageIn();
        });
        thread.start();
    }

    private void loadBacklogLater() {
        // The first read failed: mark every known endpoint for paging; the tick retries.
        try {
            for (String key : store.pendingEndpoints()) {
                Endpoint ep = endpoint(key);
                ep.overflow = true;
                overflowed.add(ep);
            }
        } catch (RuntimeException e) {
            sleepQuietly(1_000);
            inbox.add(this::loadBacklogLater);
        }
    }

    /** New deliveries, already committed (the outbox writer calls this after each batch). */
    public void offer(List<OutboxItem> committed) {
        if (!committed.isEmpty()) {
            inbox.add(() -> committed.forEach(this::accept));
        }
    }

    public Stats stats() {
        return stats;
    }

    // ---- everything below runs on the dispatcher thread ----

    private void run() {
        while (running) {
            try {
                long wait = Math.max(0, Math.min(nextTimerMillis(), nextTick - System.currentTimeMillis()));
                Runnable first = inbox.poll(wait, TimeUnit.MILLISECONDS);
                if (first != null) {
                    first.run();
                    Runnable more;
                    while ((more = inbox.poll()) != null) {
                        more.run();
                    }
                }
                fireTimers();
                if (System.currentTimeMillis() >= nextTick) {
                    nextTick = System.currentTimeMillis() + TICK_MILLIS;
                    pageIn();
                    publishStats();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.error("webhook dispatcher error (continuing)", e);
            }
        }
    }

    private long nextTimerMillis() {
        Item head = timers.peek();
        if (head == null) {
            return TICK_MILLIS;
        }
        return Math.max(0, head.delivery.nextAttemptAt().toEpochMilli() - clock.millis());
    }

    private Endpoint endpoint(String key) {
        return endpoints.computeIfAbsent(key, Endpoint::new);
    }

    private void accept(OutboxItem o) {
        Endpoint ep = endpoint(o.delivery().endpoint());
        long seq = o.delivery().seq();
        if (seq <= ep.seenUpTo) {
            return; // paged in from the database already
        }
        if (ep.overflow || ep.held >= settings.maxPendingPerEndpoint() || heldTotal >= settings.maxPendingTotal()) {
            if (!ep.overflow) {
                log.warn("webhook endpoint {}: {} deliveries waiting; further ones wait in the database only",
                        ep.key, ep.held);
            }
            ep.overflow = true;
            overflowed.add(ep);
            return;
        }
        ep.seenUpTo = seq;
        hold(ep, new Item(o));
    }

    private void hold(Endpoint ep, Item item) {
        ep.held++;
        heldTotal++;
        ArrayDeque<Item> chain = chains.get(item.chainKey);
        if (chain != null) {
            chain.add(item); // waits for the earlier deliveries of its call
            return;
        }
        chain = new ArrayDeque<>(2);
        chain.add(item);
        chains.put(item.chainKey, chain);
        makeReady(ep, item);
    }

    private void makeReady(Endpoint ep, Item item) {
        Instant next = item.delivery.nextAttemptAt();
        if (next != null && next.isAfter(clock.instant())) {
            timers.add(item);
            return;
        }
        ep.ready.add(item);
        pump(ep);
    }

    private void fireTimers() {
        Instant now = clock.instant();
        while (!timers.isEmpty() && !timers.peek().delivery.nextAttemptAt().isAfter(now)) {
            Item item = timers.poll();
            Endpoint ep = endpoint(item.delivery.endpoint());
            ep.ready.add(item);
            pump(ep);
        }
    }

    private void pump(Endpoint ep) {
        while (ep.inFlight < settings.maxInFlightPerEndpoint() && !ep.ready.isEmpty()) {
            send(ep, ep.ready.poll());
        }
    }

    private void send(Endpoint ep, Item item) {
        Delivery d = item.delivery;
        Optional<String> secret = directory.secret(d.kind(), d.targetId());
        URI uri = null;
        try {
            uri = URI.create(d.url());
        } catch (IllegalArgumentException e) {
            // validated when saved; a row that no longer parses must not wedge its endpoint
        }
        if (secret.isEmpty() || uri == null) {
            item.delivery = d.abandoned(uri == null ? "url is not valid"
                    : "target " + d.kind().token() + " " + d.targetId() + " no longer exists", clock.instant());
            failed++;
            persist.accept(item.delivery);
            finish(ep, item);
            return;
        }
        ep.inFlight++;
        inFlightTotal++;
        Map<String, String> headers = Map.of(
                "X-MiniVoice-Event", item.eventType,
                "X-MiniVoice-Delivery", d.id(),
                Signer.HEADER, Signer.header(secret.get(), clock.instant().getEpochSecond(), item.body));
        long sentAt = System.nanoTime();
        client.post(uri, headers, item.body, settings.timeout(), settings.maxResponseBytes())
                .whenComplete((outcome, error) -> {
                    attemptTook.accept(java.time.Duration.ofNanos(System.nanoTime() - sentAt));
                    HttpOutcome o = outcome != null ? outcome
                            : HttpOutcome.failed(HttpOutcome.Failure.PROTOCOL, String.valueOf(error));
                    inbox.add(() -> completed(ep, item, o));
                });
    }

    private void completed(Endpoint ep, Item item, HttpOutcome outcome) {
        ep.inFlight--;
        inFlightTotal--;
        Instant now = clock.instant();
        Delivery d = item.delivery;
        DeliveryPolicy.Verdict v = policy.decide(outcome, d.attempts() + 1, d.windowStart(), now, jitter.getAsDouble());
        switch (v.kind()) {
            case DELIVERED -> {
                item.delivery = d.delivered(outcome.status(), now);
                delivered++;
                persist.accept(item.delivery);
                finish(ep, item);
            }
            case FAILED -> {
                item.delivery = d.failed(outcome.status(), v.error(), now);
                failed++;
                log.warn("webhook delivery {} of {} to {} failed: {}", d.id(), d.eventId(), ep.key, v.error());
                persist.accept(item.delivery);
                finish(ep, item);
            }
            case RETRY -> {
                item.delivery = d.retryAt(outcome.status(), v.error(), v.nextAttemptAt(), now);
                retried++;
                log.debug("webhook delivery {} to {}: {}; retry at {}", d.id(), ep.key, v.error(), v.nextAttemptAt());
                persist.accept(item.delivery);
                timers.add(item);
            }
        }
        pump(ep);
    }

    /** The item is done (delivered or failed): free its place and let its chain move on. */
    private void finish(Endpoint ep, Item item) {
        ep.held--;
        heldTotal--;
        ArrayDeque<Item> chain = chains.get(item.chainKey);
        if (chain != null) {
            chain.remove(item);
            if (chain.isEmpty()) {
                chains.remove(item.chainKey);
            } else {
                Item next = chain.peek();
                makeReady(endpoint(next.delivery.endpoint()), next);
            }
        }
        if (ep.overflow && ep.held <= settings.maxPendingPerEndpoint() / 2) {
            pageIn(ep);
        }
    }

    private void pageIn() {
        for (Endpoint ep : List.copyOf(overflowed)) {
            pageIn(ep);
        }
    }

    /** Loads an overflowed endpoint's next deliveries from the database, while there is room. */
    private void pageIn(Endpoint ep) {
        int room = Math.min(settings.maxPendingPerEndpoint() - ep.held, settings.maxPendingTotal() - heldTotal);
        if (room < Math.min(100, settings.maxPendingPerEndpoint() / 2)) {
            return;
        }
        List<OutboxItem> page;
        try {
            page = store.pending(ep.key, ep.seenUpTo, room);
        } catch (RuntimeException e) {
            log.warn("paging in deliveries for {} failed, retrying: {}", ep.key, e.getMessage());
            return;
        }
        for (OutboxItem o : page) {
            ep.seenUpTo = o.delivery().seq();
            hold(ep, new Item(o));
        }
        if (page.size() < room) {
            ep.overflow = false; // caught up: what arrives from now on is held directly
            overflowed.remove(ep);
        }
    }

    private void publishStats() {
        stats = new Stats(heldTotal, inFlightTotal, timers.size(), overflowed.size(), delivered, failed, retried);
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops sending; what is in flight or waiting stays pending in the database for the next start. */
    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** For tests: waits until the dispatcher thread has handled everything queued so far. */
    void awaitIdle() throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        inbox.add(() -> {
            publishStats();
            done.countDown();
        });
        done.await(5, TimeUnit.SECONDS);
    }
}
