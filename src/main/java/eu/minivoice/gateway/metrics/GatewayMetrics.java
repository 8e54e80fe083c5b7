package eu.minivoice.gateway.metrics;

import eu.minivoice.gateway.domain.CallRecord;
import eu.minivoice.gateway.domain.RegistrationStatus;
import eu.minivoice.gateway.domain.TrunkHealth;
import eu.minivoice.gateway.sip.SipCounters;
import eu.minivoice.gateway.sip.SipSide;
import eu.minivoice.gateway.sip.SipStackLoad;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The operator's metrics (docs/metrics.md), in Prometheus' text format at GET /metrics. Labels
 * take only values from small fixed sets (directions, statuses, SIP methods we know, error codes):
 * never a call, trunk, customer or anything a peer can choose, so the series count stays bounded
 * whatever the traffic.
 */
public final class GatewayMetrics implements SipCounters, AutoCloseable {
    /** SIP methods counted by name; anything else a peer sends counts as "other". */
    private static final Set<String> METHODS = Set.of("INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER",
            "PRACK", "UPDATE", "INFO", "REFER", "NOTIFY", "SUBSCRIBE", "MESSAGE", "PUBLISH");
    private static final String[] DIRECTIONS = {"inbound", "outbound"};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final Map<SipSide, Map<String, Counter>> requests = new EnumMap<>(SipSide.class);
    private final Map<SipSide, Counter> overloadRefusals = new EnumMap<>(SipSide.class);
    private final Map<String, Counter> refusals = new ConcurrentHashMap<>();
    private final Map<String, Counter> callsEnded = new ConcurrentHashMap<>();
    private final Map<String, Counter> registrations = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> active = new ConcurrentHashMap<>();
    /** Calls seen and not yet ended (id → answered yet?), for the active gauge and the setup time. */
    private final Map<String, Boolean> live = new ConcurrentHashMap<>();
    /**
     * What function gauges and counters read: Micrometer holds those weakly, so a method reference
     * handed in would be collected and the series read NaN. Held here for the gateway's life.
     */
    private final java.util.List<Object> sources = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Timer setup;
    private final Timer deliveryAttempts;

    public GatewayMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        for (SipSide side : SipSide.values()) {
            Map<String, Counter> bySide = new ConcurrentHashMap<>();
            for (String m : METHODS) {
                bySide.put(m, requestCounter(side, m));
            }
            bySide.put("other", requestCounter(side, "other"));
            requests.put(side, bySide);
            overloadRefusals.put(side, Counter.builder("minivoice.sip.overload.refused")
                    .description("new calls answered 503 because the SIP workers were behind (sip.overload_delay_ms)")
                    .tag("side", side.name().toLowerCase(Locale.ROOT)).register(registry));
        }
        for (String d : DIRECTIONS) {
            AtomicInteger n = new AtomicInteger();
            active.put(d, n);
            Gauge.builder("minivoice.calls.active", n, AtomicInteger::get).tag("direction", d)
                    .description("calls up now on this node").register(registry);
        }
        // Counters that exist from the start at 0 (rate() needs a first sample); others appear when used.
        for (String d : DIRECTIONS) {
            for (String status : CallRecord.FINAL_STATUSES) {
                callsEnded(d, status);
            }
        }
        for (RegistrationStatus s : RegistrationStatus.values()) {
            if (s != RegistrationStatus.NOREG) {
                registrationCounter(s);
            }
        }
        for (String reason : new String[] {"unknown_source", "no_route", "invalid_destination"}) {
            refusalCounter(reason);
        }
        setup = Timer.builder("minivoice.call.setup").description("INVITE received to answer, answered calls only")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(50))
                .maximumExpectedValue(Duration.ofMinutes(2)).register(registry);
        deliveryAttempts = Timer.builder("minivoice.webhook.delivery").description("one webhook POST, sent to answer")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30)).register(registry);
    }

    private Counter requestCounter(SipSide side, String method) {
        return Counter.builder("minivoice.sip.messages").description("SIP requests received")
                .tag("side", side.name().toLowerCase(Locale.ROOT)).tag("method", method).register(registry);
    }

    // ---- SIP side (SIP threads: map lookups and an increment, nothing more) ----

    @Override
    public void request(SipSide side, String method) {
        Map<String, Counter> bySide = requests.get(side);
        Counter c = bySide.get(method);
        (c != null ? c : bySide.get("other")).increment();
    }

    @Override
    public void overloadRefused(SipSide side) {
        overloadRefusals.get(side).increment();
    }

    @Override
    public void inboundRefused(String reason) {
        refusalCounter(reason == null ? "unknown" : reason).increment();
    }

    private Counter refusalCounter(String reason) {
        return refusals.computeIfAbsent(reason, r -> Counter.builder("minivoice.inbound.refused")
                .description("carrier INVITEs refused before any action").tag("reason", r).register(registry));
    }

    private Counter callsEnded(String direction, String status) {
        return callsEnded.computeIfAbsent(direction + "\n" + status, k -> Counter.builder("minivoice.calls")
                .description("calls ended, by final status").tag("direction", direction).tag("status", status)
                .register(registry));
    }

    private Counter registrationCounter(RegistrationStatus status) {
        return registrations.computeIfAbsent(status.name(), s -> Counter.builder("minivoice.registrations")
                .description("registration outcomes: a trunk's registration reaching this status")
                .tag("result", s.toLowerCase(Locale.ROOT)).register(registry));
    }

    // ---- calls ----

    /** A call record changed (started, answered, ended): the active gauge, setup time and totals. */
    public void callRecord(CallRecord r) {
        String direction = "inbound".equals(r.direction()) ? "inbound" : "outbound";
        boolean ended = CallRecord.FINAL_STATUSES.contains(r.status());
        Boolean answeredBefore = live.get(r.id());
        if (answeredBefore == null && !ended) {
            if (live.putIfAbsent(r.id(), false) == null) {
                active.get(direction).incrementAndGet();
            }
            answeredBefore = false;
        }
        if (r.answeredAt() != null && r.createdAt() != null && Boolean.FALSE.equals(answeredBefore)) {
            if (live.replace(r.id(), false, true)) {
                setup.record(Duration.between(r.createdAt(), r.answeredAt()));
            }
        }
        if (ended) {
            if (live.remove(r.id()) != null) {
                active.get(direction).decrementAndGet();
            }
            if (r.answeredAt() != null && answeredBefore == null && r.createdAt() != null) {
                setup.record(Duration.between(r.createdAt(), r.answeredAt())); // started and ended in one record
            }
            callsEnded(direction, r.status()).increment();
        }
    }

    // ---- trunks and registration ----

    /** Gauges over this node's trunks: registration status and keep-alive health counts. */
    public void trunks(Supplier<Map<RegistrationStatus, Long>> statuses, Supplier<Map<TrunkHealth, Long>> health) {
        sources.add(statuses);
        sources.add(health);
        for (RegistrationStatus s : RegistrationStatus.values()) {
            if (s == RegistrationStatus.NOREG) {
                continue; // a trunk that does not register has no registration on any node
            }
            Gauge.builder("minivoice.trunks", statuses, m -> m.get().getOrDefault(s, 0L))
                    .description("trunks this node registers, by registration status")
                    .tag("registration_status", s.name()).register(registry);
        }
        for (TrunkHealth h : TrunkHealth.values()) {
            Gauge.builder("minivoice.trunk.health", health, m -> m.get().getOrDefault(h, 0L))
                    .description("trunks this node pings, by health").tag("health", h.name()).register(registry);
        }
    }

    /** A registration reached {@code status} (REGED, FAILED, FAIL_WAIT, …): one per outcome. */
    public void registration(RegistrationStatus status) {
        registrationCounter(status).increment();
    }

    // ---- the SIP stack ----

    /**
     * Gauges over what the SIP stack holds: transactions by kind and dialogs. They rise with the
     * call rate (finished transactions stay for their RFC 3261 timers) and fall back when traffic
     * stops; one that only grows is a leak.
     */
    public void sipStack(Supplier<SipStackLoad> load) {
        sources.add(load);
        Gauge.builder("minivoice.sip.transactions", load, l -> l.get().serverTransactions())
                .description("SIP transactions the stack holds, by kind").tag("kind", "server").register(registry);
        Gauge.builder("minivoice.sip.transactions", load, l -> l.get().clientTransactions())
                .description("SIP transactions the stack holds, by kind").tag("kind", "client").register(registry);
        Gauge.builder("minivoice.sip.dialogs", load, l -> l.get().dialogs())
                .description("SIP dialogs the stack holds (early and confirmed)").register(registry);
        Gauge.builder("minivoice.sip.queue.delay", load, l -> l.get().queueDelayMillis() / 1000.0).baseUnit("seconds")
                .description("how long the SIP message taken last had waited for a worker (0 when idle)")
                .register(registry);
    }

    // ---- webhooks ----

    /** Counters read from the dispatcher (delivered, failed, retried) and the outbox's pending gauge. */
    public <S> void webhooks(Supplier<S> stats, ToDoubleFunction<S> delivered, ToDoubleFunction<S> failed,
                             ToDoubleFunction<S> retried, Supplier<Number> pending) {
        sources.add(stats);
        sources.add(pending);
        FunctionCounter.builder("minivoice.webhook.deliveries", stats, s -> delivered.applyAsDouble(s.get()))
                .description("webhook deliveries by result").tag("result", "delivered").register(registry);
        FunctionCounter.builder("minivoice.webhook.deliveries", stats, s -> failed.applyAsDouble(s.get()))
                .description("webhook deliveries by result").tag("result", "failed").register(registry);
        FunctionCounter.builder("minivoice.webhook.deliveries", stats, s -> retried.applyAsDouble(s.get()))
                .description("webhook deliveries by result").tag("result", "retried").register(registry);
        Gauge.builder("minivoice.outbox.pending", pending, p -> p.get().doubleValue())
                .description("events accepted and deliveries not yet done that this node holds").register(registry);
    }

    /** One webhook POST took {@code took} (any outcome). */
    public void deliveryAttempt(Duration took) {
        deliveryAttempts.record(took);
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
