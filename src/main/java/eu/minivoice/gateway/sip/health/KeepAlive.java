package eu.minivoice.gateway.sip.health;

import eu.minivoice.gateway.domain.ProbeResult;
import eu.minivoice.gateway.domain.SipReachability;
import eu.minivoice.gateway.domain.Trunk;
import eu.minivoice.gateway.domain.TrunkHealth;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * OPTIONS keep-alives (docs/registration.md, "health"): every active trunk with a
 * {@code ping_interval} is pinged, its answers judged with hysteresis ({@link HealthTracker}), and
 * each UP/DOWN change reported. Everything runs on the one thread given (the registration
 * engine's), so the per-trunk state needs no locks; the probe itself never blocks that thread.
 */
public final class KeepAlive {
    private static final Logger log = LoggerFactory.getLogger(KeepAlive.class);

    /** Told of every health change; runs on the keep-alive thread: be quick. */
    @FunctionalInterface
    public interface Listener {
        void healthChanged(String trunkId, String customerId, TrunkHealth from, TrunkHealth to, ProbeResult last,
                           Instant at);
    }

    private final ScheduledExecutorService thread;
    private final SipReachability reachability;
    private final Duration pingTimeout;
    private final int downAfter;
    private final int upAfter;
    private final Clock clock;
    private final Listener listener;
    /** Keep-alive thread only. */
    private final Map<String, Pinger> pingers = new HashMap<>();
    private final Map<String, TrunkHealth> health = new ConcurrentHashMap<>();

    public KeepAlive(ScheduledExecutorService thread, SipReachability reachability, Duration pingTimeout, int downAfter,
                     int upAfter, Clock clock, Listener listener) {
        this.thread = thread;
        this.reachability = reachability;
        this.pingTimeout = pingTimeout;
        this.downAfter = downAfter;
        this.upAfter = upAfter;
        this.clock = clock;
        this.listener = listener;
    }

    public static boolean pinged(Trunk t) {
        return t != null && t.spec().active() && t.spec().pingInterval() > 0;
    }

    /** On the keep-alive thread: a trunk created (before null), changed, or deleted (after null). */
    public void trunkChanged(Trunk before, Trunk after) {
        boolean same = pinged(before) && pinged(after) && before.spec().proxy().equals(after.spec().proxy())
                && before.spec().pingInterval() == after.spec().pingInterval();
        if (same) {
            return;
        }
        if (before != null) {
            stop(before.id());
        }
        if (pinged(after)) {
            start(after, Duration.ZERO);
        }
    }

    /** On the keep-alive thread: no more pings to the trunk, and no health kept for it. */
    public void stop(String trunkId) {
        Pinger old = pingers.remove(trunkId);
        if (old != null) {
            old.stop();
            health.remove(trunkId);
        }
    }

    /** On the keep-alive thread: the first ping after {@code delay} (start-up spreads them). */
    public void start(Trunk t, Duration delay) {
        Pinger p = new Pinger(t);
        pingers.put(t.id(), p);
        health.put(t.id(), TrunkHealth.UNKNOWN);
        p.schedule(delay);
    }

    /** How many pinged trunks are in each health now (any thread; for the metrics). */
    public Map<TrunkHealth, Long> healthCounts() {
        Map<TrunkHealth, Long> out = new java.util.EnumMap<>(TrunkHealth.class);
        health.values().forEach(h -> out.merge(h, 1L, Long::sum));
        return out;
    }

    /** From any thread. */
    public Optional<TrunkHealth> health(String trunkId) {
        return Optional.ofNullable(health.get(trunkId));
    }

    /** On the keep-alive thread, or after it stopped. */
    public void stop() {
        pingers.values().forEach(Pinger::stop);
    }

    /** One trunk's keep-alive: ping, judge with hysteresis, ping again after the interval. */
    private final class Pinger {
        private final Trunk trunk;
        private final HealthTracker tracker = new HealthTracker(downAfter, upAfter);
        private ScheduledFuture<?> next;
        private boolean stopped;

        Pinger(Trunk trunk) {
            this.trunk = trunk;
        }

        void schedule(Duration delay) {
            next = thread.schedule(this::ping, delay.toMillis(), TimeUnit.MILLISECONDS);
        }

        void ping() {
            if (stopped) {
                return;
            }
            reachability.options(trunk.customerId(), trunk.spec().proxyAddress(), pingTimeout)
                    .thenAccept(result -> thread.execute(() -> judge(result)));
        }

        void judge(ProbeResult result) {
            if (stopped) {
                return;
            }
            TrunkHealth from = tracker.state();
            TrunkHealth to = result.reachable() ? tracker.answered() : tracker.missed();
            if (to != null) {
                health.put(trunk.id(), to);
                log.info("trunk {} health {} -> {} ({})", trunk.id(), from, to,
                        result.reachable() ? result.code() + " in " + result.rttMillis() + " ms" : result.error());
                listener.healthChanged(trunk.id(), trunk.customerId(), from, to, result, clock.instant());
            }
            schedule(Duration.ofSeconds(trunk.spec().pingInterval()));
        }

        void stop() {
            stopped = true;
            if (next != null) {
                next.cancel(false);
            }
        }
    }
}
