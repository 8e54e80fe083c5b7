package eu.minivoice.gateway.sip.registration;

import eu.minivoice.gateway.domain.ProbeResult;
import eu.minivoice.gateway.sip.health.KeepAlive;
import eu.minivoice.gateway.domain.RandomIdGenerator;
import eu.minivoice.gateway.domain.RegistrationSnapshot;
import eu.minivoice.gateway.domain.RegistrationStatus;
import eu.minivoice.gateway.domain.RegistrationView;
import eu.minivoice.gateway.domain.SipReachability;
import eu.minivoice.gateway.domain.Trunk;
import eu.minivoice.gateway.domain.TrunkHealth;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;

/**
 * Keeps one {@link Registration} per active registering trunk. Every registration event (timer,
 * answer, trunk change) runs on the engine's single thread, so the state machines need no locks
 * and never run on a SIP or API thread; the API reads published snapshots.
 */
public final class RegistrationEngine implements RegistrationView, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RegistrationEngine.class);

    /** Told of every status change (for events and persistence). Runs on the engine thread: be quick. */
    public interface StatusListener {
        void statusChanged(RegistrationTarget target, RegistrationStatus from, RegistrationStatus to, String reason,
                           RegistrationSnapshot now, Instant at);

        /** A pinged trunk's health changed (OPTIONS keep-alive). */
        void healthChanged(String trunkId, String customerId, TrunkHealth from, TrunkHealth to, ProbeResult last,
                           Instant at);
    }

    private final RegistrationSettings settings;
    private final RegisterSender sender;
    private final Clock clock;
    private final DoubleSupplier random;
    private final RandomIdGenerator tokens;
    private final StatusListener listener;
    /** OPTIONS keep-alives, on the engine's thread (sip/health). */
    private final KeepAlive keepAlive;
    private final ScheduledExecutorService thread;
    /** Engine-thread only. */
    private final Map<String, Registration> registrations = new HashMap<>();
    private final Map<String, RegistrationSnapshot> snapshots = new ConcurrentHashMap<>();
    private final Map<String, List<RegisterTransaction>> timelines = new ConcurrentHashMap<>();
    /**
     * Whether this node registers and pings a trunk. Alone on its database a node owns every
     * trunk; in a cluster it owns those it holds a lease on (docs/scale-out.md), and is told
     * of changes through {@link #acquire} and {@link #release}.
     */
    private final java.util.function.Predicate<String> owned;

    public RegistrationEngine(RegistrationSettings settings, RegisterSender sender, Clock clock, DoubleSupplier random,
                              RandomIdGenerator tokens, SipReachability reachability, StatusListener listener) {
        this(settings, sender, clock, random, tokens, reachability, listener, trunkId -> true);
    }

    public RegistrationEngine(RegistrationSettings settings, RegisterSender sender, Clock clock, DoubleSupplier random,
                              RandomIdGenerator tokens, SipReachability reachability, StatusListener listener,
                              java.util.function.Predicate<String> owned) {
        this.owned = owned;
        this.settings = settings;
        this.sender = sender;
        this.clock = clock;
        this.random = random;
        this.tokens = tokens;
        this.listener = listener;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "registration");
            t.setDaemon(true);
            return t;
        });
        this.keepAlive = new KeepAlive(thread, reachability, settings.pingTimeout(), settings.pingDownAfter(),
                settings.pingUpAfter(), clock, listener::healthChanged);
    }

    /**
     * A closed TCP/TLS connection to a carrier means its registration binding (and our path for its
     * INVITEs) is gone: register again at once. The transport reports closes
     * ({@link #connectionClosed}); the engine also looks every {@code connectionCheck}.
     */
    private void watchConnections() {
        if (watchConnections(settings.connectionCheck())) {
            lookLater();
        }
    }

    /**
     * @param settledAfter a REGISTER in flight at least this long whose connection is gone cannot
     *                     be answered any more (younger ones may still be waiting for their connect)
     */
    private boolean watchConnections(Duration settledAfter) {
        Instant settled = clock.instant().minus(settledAfter);
        boolean youngWaiting = false;
        for (Registration r : registrations.values()) {
            if (r.status() == RegistrationStatus.REGED && !r.inFlight() && !sender.connectionOpen(r.target())) {
                r.connectionLost();
                publish(r);
            } else if (r.inFlight() && r.inFlightSince() != null && r.inFlightSince().isBefore(settled)
                    && !sender.connectionOpen(r.target())) {
                // Sent at least one check interval ago (its connection had time to open) and the
                // connection is gone: the answer cannot arrive.
                r.connectionLostWhileWaiting();
                publish(r);
            } else if (r.inFlight() && !sender.connectionOpen(r.target())) {
                youngWaiting = true; // sent too recently to judge: maybe its connect is under way
            }
        }
        return youngWaiting;
    }

    /** A carrier-side connection closed (any thread): look at the connections now, on the engine's thread. */
    public void connectionClosed() {
        // Coalesced: a burst of closes (idle connections reaped) costs one look, not one per close.
        if (!lookPending.compareAndSet(false, true)) {
            return;
        }
        try {
            thread.execute(() -> {
                lookPending.set(false);
                watchConnections();
            });
            // A REGISTER sent just before the close went out on the closing connection: its answer
            // cannot come. Look again once a new connect would have finished either way.
            lookLater();
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shutting down: nothing to register again
        }
    }

    /** Engine thread or any: one delayed look at a time; again while REGISTERs too young to judge wait. */
    private void lookLater() {
        if (!laterLookPending.compareAndSet(false, true)) {
            return;
        }
        thread.schedule(() -> {
            laterLookPending.set(false);
            if (watchConnections(CLOSED_CONNECTION_GRACE)) {
                lookLater();
            }
        }, CLOSED_CONNECTION_GRACE.toMillis() + 100, TimeUnit.MILLISECONDS);
    }

    /** Longer than an outgoing connect may take (sip.connect_timeout_ms, 2 s by default). */
    private static final Duration CLOSED_CONNECTION_GRACE = Duration.ofSeconds(3);

    private final java.util.concurrent.atomic.AtomicBoolean lookPending = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicBoolean laterLookPending =
            new java.util.concurrent.atomic.AtomicBoolean();

    /** Start-up: every registering trunk, first REGISTERs spread over the start-up window. */
    public void startAll(List<Trunk> trunks) {
        long every = settings.connectionCheck().toMillis();
        thread.scheduleWithFixedDelay(this::watchConnections, every, every, TimeUnit.MILLISECONDS);
        thread.execute(() -> {
            long window = settings.startupSpread().toMillis();
            int started = 0;
            for (Trunk t : trunks) {
                if (!owned.test(t.id())) {
                    continue;
                }
                if (KeepAlive.pinged(t)) {
                    keepAlive.start(t, Duration.ofMillis((long) (random.getAsDouble() * window)));
                }
                if (registers(t)) {
                    start(t, Duration.ofMillis((long) (random.getAsDouble() * window)));
                    started++;
                }
            }
            if (started > 0) {
                log.info("registering {} trunk(s), first REGISTERs spread over {} s", started, window / 1000);
            }
        });
    }

    /** A trunk was created, changed or deleted (null before/after); takes effect at once. */
    public void trunkChanged(Trunk before, Trunk after) {
        thread.execute(() -> {
            String id = before != null ? before.id() : after.id();
            if (!owned.test(id)) {
                return; // another node's (its lease may come here later: acquire)
            }
            keepAlive.trunkChanged(before, after);
            boolean was = before != null && registers(before);
            boolean is = after != null && registers(after);
            if (was && is && RegistrationTarget.of(before).equals(RegistrationTarget.of(after))) {
                return; // nothing the registration depends on changed
            }
            if (was) {
                stop(before.id(), true, () -> {
                    if (is) {
                        thread.execute(() -> start(after, Duration.ZERO));
                    }
                });
            } else if (is) {
                start(after, Duration.ZERO);
            }
        });
    }

    /**
     * This node now holds the trunk's lease: register and ping it from here, first after
     * {@code delay}. Call after the ownership predicate says so.
     */
    public void acquire(Trunk trunk, Duration delay) {
        thread.execute(() -> {
            if (!owned.test(trunk.id())) {
                return; // released again before this ran
            }
            if (KeepAlive.pinged(trunk) && keepAlive.health(trunk.id()).isEmpty()) {
                keepAlive.start(trunk, delay);
            }
            if (registers(trunk)) {
                start(trunk, delay);
            }
        });
    }

    /**
     * This node gives up these trunks (another node takes them, or this one lost the database):
     * stops registering and pinging them without an un-REGISTER, so the carrier keeps a binding
     * until the new owner's REGISTER. Completes once stopped; call after the ownership
     * predicate says so.
     */
    public java.util.concurrent.CompletableFuture<Void> release(java.util.Collection<String> trunkIds) {
        var done = new java.util.concurrent.CompletableFuture<Void>();
        List<String> ids = List.copyOf(trunkIds);
        try {
            thread.execute(() -> {
                for (String id : ids) {
                    if (!owned.test(id)) {
                        keepAlive.stop(id);
                        stop(id, false, () -> { });
                    }
                }
                done.complete(null);
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            done.complete(null); // closed: nothing runs any more
        }
        return done;
    }

    @Override
    public Optional<TrunkHealth> health(String trunkId) {
        return keepAlive.health(trunkId);
    }

    /** How many of the trunks this node registers are in each status now (any thread; for the metrics). */
    public Map<RegistrationStatus, Long> statusCounts() {
        Map<RegistrationStatus, Long> out = new java.util.EnumMap<>(RegistrationStatus.class);
        snapshots.values().forEach(s -> out.merge(s.status(), 1L, Long::sum));
        return out;
    }

    /** How many of the trunks this node pings are in each health now (any thread; for the metrics). */
    public Map<TrunkHealth, Long> healthCounts() {
        return keepAlive.healthCounts();
    }

    private static boolean registers(Trunk t) {
        return t.spec().active() && t.spec().registers();
    }

    private void start(Trunk trunk, Duration delay) {
        Registration existing = registrations.get(trunk.id());
        if (existing != null) {
            if (existing.stopped()) {
                // Still un-registering (a delete undone, a lease given back and taken again): the
                // new registration starts once the old one is over, instead of never.
                stop(trunk.id(), false, () -> thread.execute(() -> {
                    if (owned.test(trunk.id())) {
                        start(trunk, delay);
                    }
                }));
            }
            return;
        }
        Context ctx = new Context();
        Registration r = new Registration(RegistrationTarget.of(trunk), ctx, settings);
        ctx.registration = r;
        registrations.put(trunk.id(), r);
        r.start(delay);
        publish(r);
    }

    private void stop(String trunkId, boolean unregister, Runnable done) {
        Registration r = registrations.get(trunkId);
        if (r == null) {
            done.run();
            return;
        }
        r.stop(unregister, () -> {
            registrations.remove(trunkId, r);
            snapshots.remove(trunkId);
            done.run();
        });
        publish(r);
    }

    private void publish(Registration r) {
        if (registrations.get(r.target().trunkId()) == r) {
            snapshots.put(r.target().trunkId(), r.snapshot());
            timelines.put(r.target().trunkId(), r.timeline());
        }
    }

    @Override
    public Optional<RegistrationSnapshot> snapshot(String trunkId) {
        return Optional.ofNullable(snapshots.get(trunkId));
    }

    @Override
    public List<RegisterTransaction> timeline(String trunkId) {
        return timelines.getOrDefault(trunkId, List.of());
    }

    /**
     * Gateway shutdown: un-REGISTERs every live registration, waiting at most {@code bound}.
     */
    public void shutdown(Duration bound) {
        CountDownLatch all = new CountDownLatch(1);
        thread.execute(() -> {
            List<String> ids = List.copyOf(registrations.keySet());
            if (ids.isEmpty()) {
                all.countDown();
                return;
            }
            int[] left = {ids.size()};
            for (String id : ids) {
                stop(id, true, () -> {
                    if (--left[0] == 0) {
                        all.countDown();
                    }
                });
            }
        });
        try {
            if (!all.await(bound.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("shutdown: not every un-REGISTER was answered within {} ms", bound.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        keepAlive.stop();
        thread.shutdownNow();
    }

    /** Runs a registration's step with its trunk id on every log line (trunk_id in JSON logs). */
    private static void withTrunk(Registration r, Runnable step) {
        org.slf4j.MDC.put("trunk_id", r.target().trunkId());
        try {
            step.run();
        } finally {
            org.slf4j.MDC.remove("trunk_id");
        }
    }

    /** The world as one registration sees it; every callback comes back on the engine thread. */
    private final class Context implements RegistrationContext {
        private Registration registration;

        @Override
        public Instant now() {
            return clock.instant();
        }

        @Override
        public Cancellable schedule(Duration delay, Runnable task) {
            ScheduledFuture<?> f = thread.schedule(() -> withTrunk(registration, () -> {
                task.run();
                publish(registration);
            }), Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
            return () -> f.cancel(false);
        }

        @Override
        public void send(Registration registration, OutgoingRegister request) {
            sender.send(registration.target(), request, new RegisterSender.Sink() {
                @Override
                public void onResponse(RegistrarResponse response) {
                    thread.execute(() -> withTrunk(registration, () -> {
                        registration.onResponse(request.attempt(), response);
                        publish(registration);
                        // The carrier may close the connection right after its answer, and the
                        // close can be reported before this answer was handled (the look found
                        // the registration still waiting): look again now that it is settled.
                        if (registration.status() == RegistrationStatus.REGED && !registration.inFlight()
                                && registrations.get(registration.target().trunkId()) == registration
                                && !sender.connectionOpen(registration.target())) {
                            registration.connectionLost();
                            publish(registration);
                        }
                    }));
                }

                @Override
                public void onFailure(String reason, boolean timeout) {
                    thread.execute(() -> withTrunk(registration, () -> {
                        registration.onFailure(request.attempt(), reason, timeout);
                        publish(registration);
                    }));
                }
            });
            publish(registration);
        }

        @Override
        public void abandon(Registration registration) {
            sender.abandon(registration.target());
        }

        @Override
        public void statusChanged(Registration registration, RegistrationStatus from, RegistrationStatus to,
                                  String reason) {
            publish(registration);
            listener.statusChanged(registration.target(), from, to, reason, registration.snapshot(), clock.instant());
        }

        @Override
        public double random() {
            return random.getAsDouble();
        }

        @Override
        public String cnonce() {
            return tokens.randomToken(16);
        }
    }
}
