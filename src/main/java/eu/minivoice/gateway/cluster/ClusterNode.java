package eu.minivoice.gateway.cluster;

import eu.minivoice.gateway.domain.RegistrationSnapshot;
import eu.minivoice.gateway.domain.RegistrationView;
import eu.minivoice.gateway.domain.Trunk;
import eu.minivoice.gateway.domain.TrunkHealth;
import eu.minivoice.gateway.routing.CallLimiter;
import eu.minivoice.gateway.sip.health.KeepAlive;
import eu.minivoice.gateway.store.ClusterStore;
import eu.minivoice.gateway.store.ClusterStore.NodeRow;
import eu.minivoice.gateway.store.ClusterStore.TrunkStateRow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * One gateway node among several on a shared database (docs/scale-out.md). Every heartbeat, on
 * its own thread: says it is live, marks silent nodes lost (and lets the caller clean up after
 * them), works out which trunks it should own (rendezvous hashing over the live nodes), gives
 * up the others, renews its leases and claims the free ones, starts registering what it gained,
 * writes its trunks' registration state and reads the others'. A node that cannot renew stops
 * registering before its leases can expire (a second thread watches, so a hung database call
 * cannot delay it): there is never a second owner.
 */
public final class ClusterNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterNode.class);
    /** States written this long before the last read are read again (transactions commit late). */
    private static final Duration READ_OVERLAP = Duration.ofSeconds(5);

    /** The registration side of this node, as leases drive it. */
    public interface LocalTrunks {
        /** Register and ping the trunk from this node, the first REGISTER after {@code delay}. */
        void acquire(Trunk trunk, Duration delay);

        CompletableFuture<Void> release(Collection<String> trunkIds);

        Optional<RegistrationSnapshot> snapshot(String trunkId);

        Optional<TrunkHealth> health(String trunkId);

        /** The trunk's recent REGISTER transactions, oldest first (shared with the other nodes). */
        default List<RegistrationView.RegisterTransaction> timeline(String trunkId) {
            return List.of();
        }
    }

    private final String nodeId;
    private final ClusterStore store;
    private final ClusterSettings settings;
    private final Supplier<Collection<Trunk>> trunks;
    private final LongSupplier nanoTime;
    private final Consumer<String> nodeLost;
    private final ScheduledExecutorService thread;
    private final ScheduledExecutorService fence;
    private final Set<String> owned = ConcurrentHashMap.newKeySet();
    private final Map<String, TrunkStateRow> shared = new ConcurrentHashMap<>();
    private volatile List<String> liveNodes = List.of();
    private volatile LocalTrunks local;
    private volatile CallLimiter limiter;
    /** Cluster thread only: admitted counts at the last heartbeat, for the rate. */
    private final Map<String, Long> admittedBefore = new HashMap<>();
    private long usageNanos;
    /** nanoTime of start(), and the trunks stored then: those register spread over the start-up window. */
    private long startedNanos;
    private Set<String> storedAtStart = Set.of();
    /** Cluster thread only. */
    private Set<String> held = new HashSet<>();
    private final Map<String, TrunkStateRow> written = new HashMap<>();
    private Instant lastRead;
    /** nanoTime until which this node's leases are surely still its own; 0 before the first renewal. */
    private volatile long validUntil;

    public ClusterNode(String nodeId, ClusterStore store, ClusterSettings settings, Supplier<Collection<Trunk>> trunks,
                       LongSupplier nanoTime, Consumer<String> nodeLost) {
        this.nodeId = nodeId;
        this.store = store;
        this.settings = settings;
        this.trunks = trunks;
        this.nanoTime = nanoTime;
        this.nodeLost = nodeLost;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "cluster"));
        this.fence = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "cluster-fence"));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Whether this node registers and pings the trunk now (any thread). */
    public boolean owns(String trunkId) {
        return owned.contains(trunkId);
    }

    public String nodeId() {
        return nodeId;
    }

    /** The nodes this node saw live at its last heartbeat, itself included. */
    public List<String> liveNodes() {
        return liveNodes;
    }

    /**
     * A trunk's REGISTER timeline as its owner last wrote it (a database read: API threads only).
     * @throws RuntimeException when the database cannot be read
     */
    public List<RegistrationView.RegisterTransaction> sharedTimeline(String trunkId) {
        return store.timeline(trunkId);
    }

    /** A trunk's state as its owner last wrote it, when another node owns it. */
    public Optional<TrunkStateRow> sharedState(String trunkId) {
        return Optional.ofNullable(shared.get(trunkId));
    }

    /**
     * First round at once, then every heartbeat. {@code callLimits}: this node's call limiter,
     * told every heartbeat what the other live nodes use (null: limits stay per node).
     */
    public void start(LocalTrunks localTrunks, CallLimiter callLimits) {
        this.local = localTrunks;
        this.limiter = callLimits;
        this.startedNanos = nanoTime.getAsLong();
        Set<String> stored = new HashSet<>();
        trunks.get().forEach(t -> stored.add(t.id()));
        this.storedAtStart = stored;
        long every = settings.heartbeat().toMillis();
        thread.scheduleWithFixedDelay(this::round, 0, every, TimeUnit.MILLISECONDS);
        fence.scheduleWithFixedDelay(this::checkFence, every / 2, every / 2, TimeUnit.MILLISECONDS);
    }

    /** Trunks that need an owner: active ones that register or are pinged. */
    static boolean needsOwner(Trunk t) {
        return t.spec().active() && (t.spec().registers() || KeepAlive.pinged(t));
    }

    private void round() {
        long started = nanoTime.getAsLong();
        try {
            Instant now = store.heartbeat(nodeId, usageNow(started));
            Duration ttl = settings.leaseTtl();
            List<String> live = new ArrayList<>();
            List<NodeRow> silent = new ArrayList<>();
            Map<String, CallLimiter.Usage> othersUse = new HashMap<>();
            for (NodeRow n : store.nodes()) {
                if (n.id().equals(nodeId) || (n.lostAt() == null && n.seenAt().isAfter(now.minus(ttl)))) {
                    live.add(n.id());
                    if (!n.id().equals(nodeId)) {
                        addUsage(othersUse, n.usage());
                    }
                } else if (n.lostAt() == null) {
                    silent.add(n);
                }
            }
            if (limiter != null) {
                limiter.elsewhere(othersUse);
            }
            if (!live.equals(liveNodes)) {
                log.info("cluster: live nodes {}", live);
            }
            liveNodes = List.copyOf(live);
            for (NodeRow n : silent) {
                if (store.markLost(n.id(), ttl)) {
                    log.warn("cluster: node {} silent since {}: taking over its work", n.id(), n.seenAt());
                    nodeLost.accept(n.id());
                }
            }
            Map<String, Trunk> desired = new HashMap<>();
            for (Trunk t : trunks.get()) {
                if (needsOwner(t) && nodeId.equals(Rendezvous.owner(t.id(), live))) {
                    desired.put(t.id(), t);
                }
            }
            Set<String> release = new HashSet<>(held);
            release.removeAll(desired.keySet());
            if (!release.isEmpty()) {
                // Stopped here before the lease goes, so the next owner never overlaps with this one.
                owned.removeAll(release);
                local.release(release).get(settings.heartbeat().toMillis() * 2, TimeUnit.MILLISECONDS);
                release.forEach(written::remove);
            }
            Set<String> claim = new HashSet<>(desired.keySet());
            claim.removeAll(held);
            Set<String> now2 = store.keepLeases(nodeId, release, claim, ttl);
            validUntil = started + settings.selfFence().toNanos();
            Set<String> lost = new HashSet<>(held);
            lost.removeAll(release);
            lost.removeAll(now2);
            if (!lost.isEmpty()) {
                log.warn("cluster: {} trunk lease(s) were taken by other nodes; stopped registering them", lost.size());
                owned.removeAll(lost);
                local.release(lost);
                lost.forEach(written::remove);
            }
            int gained = 0;
            long spreadLeft = settings.startupSpread().toNanos() - (started - startedNanos);
            for (String id : now2) {
                Trunk t = desired.get(id);
                if (!held.contains(id) && t != null) {
                    owned.add(id);
                    // A node starting (a whole cluster starting) must not send every stored trunk's
                    // REGISTER in one second; a trunk created since, or taken over later, registers
                    // at once (the carrier holds a dead node's binding for it).
                    local.acquire(t, spreadLeft <= 0 || !storedAtStart.contains(id) ? Duration.ZERO
                            : Duration.ofNanos((long) (java.util.concurrent.ThreadLocalRandom.current().nextDouble()
                                    * spreadLeft)));
                    gained++;
                }
            }
            if (gained > 0) {
                log.info("cluster: this node now registers {} more trunk(s) ({} in all)", gained, now2.size());
            }
            held = now2;
            writeStates();
            readStates(now);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                return;
            }
            log.warn("cluster: heartbeat failed ({}); trunks stop registering {} s after the last renewal",
                    e.getMessage(), settings.selfFence().toSeconds());
        }
    }

    /**
     * This node's use of limited keys for the others: "key active perSecond" per line, only keys
     * with calls up or admitted since the last heartbeat.
     */
    private String usageNow(long nanos) {
        if (limiter == null) {
            return null;
        }
        double seconds = usageNanos == 0 ? 1 : Math.max(0.001, (nanos - usageNanos) / 1e9);
        usageNanos = nanos;
        StringBuilder out = new StringBuilder();
        limiter.localUse().forEach((key, use) -> {
            Long before = admittedBefore.put(key, use.admitted());
            long admitted = use.admitted() - (before == null ? 0 : before);
            if (use.active() > 0 || admitted > 0) {
                out.append(key).append(' ').append(use.active()).append(' ')
                        .append(String.format(java.util.Locale.ROOT, "%.2f", admitted / seconds)).append('\n');
            }
        });
        return out.toString();
    }

    static void addUsage(Map<String, CallLimiter.Usage> sum, String usage) {
        if (usage == null) {
            return;
        }
        for (String line : usage.split("\n")) {
            String[] p = line.split(" ");
            if (p.length != 3) {
                continue;
            }
            try {
                CallLimiter.Usage u = new CallLimiter.Usage(Integer.parseInt(p[1]), Double.parseDouble(p[2]));
                sum.merge(p[0], u, (a, b) -> new CallLimiter.Usage(a.active() + b.active(), a.perSecond() + b.perSecond()));
            } catch (NumberFormatException e) {
                // a line another version wrote differently: not counted
            }
        }
    }

    /** On the fence thread: gives up every trunk once the leases may have lapsed. */
    private void checkFence() {
        long until = validUntil;
        if (until == 0 || owned.isEmpty() || nanoTime.getAsLong() - until < 0) {
            return;
        }
        Set<String> all = Set.copyOf(owned);
        owned.removeAll(all);
        log.error("cluster: leases not renewed for {} s (database unreachable?): stopped registering {} trunk(s)"
                + " so that no other node registers them at the same time", settings.selfFence().toSeconds(),
                all.size());
        local.release(all);
        thread.execute(() -> {
            held = new HashSet<>(); // the next renewal finds what is still ours
            all.forEach(written::remove);
        });
    }

    /** This node's trunks whose state changed since written (one batch per heartbeat). */
    private void writeStates() {
        List<TrunkStateRow> changed = new ArrayList<>();
        for (String id : held) {
            TrunkStateRow row = new TrunkStateRow(id, nodeId, local.snapshot(id).orElse(null),
                    local.health(id).orElse(null), null, local.timeline(id));
            TrunkStateRow before = written.get(id);
            if (before == null || !sameState(before, row)) {
                changed.add(row);
            }
        }
        if (!changed.isEmpty()) {
            store.writeStates(nodeId, changed);
            changed.forEach(r -> written.put(r.trunkId(), r));
        }
    }

    private static boolean sameState(TrunkStateRow a, TrunkStateRow b) {
        return java.util.Objects.equals(a.registration(), b.registration()) && a.health() == b.health()
                && java.util.Objects.equals(a.timeline(), b.timeline());
    }

    private void readStates(Instant now) {
        Instant since = lastRead == null ? Instant.EPOCH : lastRead.minus(READ_OVERLAP);
        for (TrunkStateRow row : store.statesSince(since)) {
            shared.put(row.trunkId(), row);
        }
        lastRead = now;
    }

    /**
     * Stops: gives up every trunk (no un-REGISTER here; the gateway's shutdown did those), drops
     * the leases and dates the heartbeat back, so the other nodes take over at their next round
     * instead of after the lease time.
     */
    @Override
    public void close() {
        fence.shutdownNow();
        thread.shutdownNow();
        try {
            thread.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Set<String> all = Set.copyOf(owned);
        owned.clear();
        if (local != null && !all.isEmpty()) {
            try {
                local.release(all).get(2, TimeUnit.SECONDS); // before the leases go: never two owners
            } catch (Exception e) {
                log.warn("cluster: stopping the registrations took too long: {}", e.toString());
            }
        }
        try {
            store.leave(nodeId, settings.leaseTtl());
        } catch (RuntimeException e) {
            log.warn("cluster: could not hand over on leaving ({}); others take over after {} s", e.getMessage(),
                    settings.leaseTtl().toSeconds());
        }
    }
}
