package eu.minivoice.gateway;

import eu.minivoice.gateway.api.AdminServer;
import eu.minivoice.gateway.api.Authenticator;
import eu.minivoice.gateway.api.AuthThrottle;
import eu.minivoice.gateway.api.CustomerResource;
import eu.minivoice.gateway.api.EventResource;
import eu.minivoice.gateway.api.HealthResource;
import eu.minivoice.gateway.api.Json;
import eu.minivoice.gateway.api.Router;
import eu.minivoice.gateway.api.TrunkResource;
import eu.minivoice.gateway.config.GatewayConfig;
import eu.minivoice.gateway.domain.IpRange;
import eu.minivoice.gateway.domain.RandomIdGenerator;
import eu.minivoice.gateway.service.ApiKeys;
import eu.minivoice.gateway.service.CustomerService;
import eu.minivoice.gateway.service.ApplicationService;
import eu.minivoice.gateway.service.NumberService;
import eu.minivoice.gateway.service.RegistrationEvents;
import eu.minivoice.gateway.service.TrunkService;
import eu.minivoice.gateway.service.TrunkValidator;
import eu.minivoice.gateway.service.TargetGuard;
import eu.minivoice.gateway.service.CallHistory;
import eu.minivoice.gateway.service.EventHistory;
import eu.minivoice.gateway.sip.net.ConnectGate;
import eu.minivoice.gateway.store.SecretBox;
import eu.minivoice.gateway.store.SecretKeys;
import eu.minivoice.gateway.store.SecretSealer;
import eu.minivoice.gateway.service.ActionTargets;
import eu.minivoice.gateway.domain.AddressPolicy;
import eu.minivoice.gateway.service.TrunkReadiness;
import eu.minivoice.gateway.sip.OptionsProbe;
import eu.minivoice.gateway.sip.SipEdge;
import eu.minivoice.gateway.sip.SipServer;
import eu.minivoice.gateway.sip.SipStartException;
import eu.minivoice.gateway.sip.registration.JainSipRegisterSender;
import eu.minivoice.gateway.sip.registration.RegistrationEngine;
import eu.minivoice.gateway.sip.registration.RegistrationSettings;
import eu.minivoice.gateway.store.Database;
import eu.minivoice.gateway.store.JdbcCustomerStore;
import eu.minivoice.gateway.routing.CallLimiter;
import eu.minivoice.gateway.routing.OutboundRouter;
import eu.minivoice.gateway.sip.relay.CallRelay;
import eu.minivoice.gateway.routing.InboundMatcher;
import eu.minivoice.gateway.sip.relay.InboundGate;
import eu.minivoice.gateway.api.TrunkMatchResource;
import eu.minivoice.gateway.domain.Trunk;
import java.util.Set;
import eu.minivoice.gateway.store.JdbcApplicationStore;
import eu.minivoice.gateway.store.JdbcCallStore;
import eu.minivoice.gateway.service.CallRecorder;
import eu.minivoice.gateway.sip.relay.CallObserver;
import eu.minivoice.gateway.api.CallResource;
import eu.minivoice.gateway.store.JdbcNumberStore;
import eu.minivoice.gateway.store.JdbcOutboxStore;
import eu.minivoice.gateway.actions.ActionFetcher;
import eu.minivoice.gateway.actions.ActionParser;
import eu.minivoice.gateway.api.AccountResource;
import eu.minivoice.gateway.api.ApplicationResource;
import eu.minivoice.gateway.api.NumberResource;
import eu.minivoice.gateway.events.CallEvents;
import eu.minivoice.gateway.events.DeliveryPolicy;
import eu.minivoice.gateway.events.DeliveryScheduler;
import eu.minivoice.gateway.events.HttpActionFetcher;
import eu.minivoice.gateway.http.NettyWebhookClient;
import eu.minivoice.gateway.events.Outbox;
import eu.minivoice.gateway.events.WebhookDirectory;
import com.fasterxml.jackson.databind.ObjectMapper;
import eu.minivoice.gateway.store.JdbcTrunkStore;
import eu.minivoice.gateway.cluster.ChangeFeed;
import eu.minivoice.gateway.cluster.ClusterNode;
import eu.minivoice.gateway.cluster.NodeHangUps;
import eu.minivoice.gateway.domain.RemoteHangUp;
import eu.minivoice.gateway.cluster.ClusterSettings;
import eu.minivoice.gateway.cluster.LocalRegistrationView;
import eu.minivoice.gateway.cluster.SharedRegistrationView;
import eu.minivoice.gateway.domain.RegistrationView;
import eu.minivoice.gateway.store.JdbcClusterStore;
import eu.minivoice.gateway.store.OutboxStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.BindException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Wiring: the only class that knows every concrete part. Starts them in dependency order
 * (database, customers, SIP, admin API last so /health = ready) and stops them in reverse.
 * No statics: several gateways can run in one JVM, as the tests do.
 */
public final class Gateway implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Gateway.class);

    private final GatewayConfig config;
    private final Clock clock;
    private final RandomIdGenerator random;
    private final Consumer<String> console;
    private Database database;
    private SipServer sip;
    private RegistrationEngine registration;
    private Outbox outbox;
    private DeliveryScheduler dispatcher;
    private NettyWebhookClient webhookClient;
    private HttpActionFetcher actionFetcher;
    private CallEvents callEvents;
    private JdbcCallStore callStore;
    private CallRecorder callRecorder;
    private InboundMatcher inboundMatcher;
    private TargetGuard targetGuard;
    private ConnectGate connectGate;
    /** Where carrier proxy names lead (RFC 3263); its lookups complete on {@link #dnsThread}. */
    private eu.minivoice.gateway.sip.dns.SipLocator locator;
    private final java.util.concurrent.ExecutorService dnsThread =
            java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "sip-dns");
                t.setDaemon(true);
                return t;
            });
    private JainSipRegisterSender registerSender;
    private InboundGate inboundGate;
    /** The relay's timers (attempt silence, maximum call duration): one daemon thread. */
    private final java.util.concurrent.ScheduledThreadPoolExecutor relayTimers = relayTimers();
    /** Re-resolves trunk proxy names (may wait on DNS, so not a SIP or timer thread). */
    private final java.util.concurrent.ScheduledExecutorService dnsRefresh =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "dns-refresh");
                t.setDaemon(true);
                return t;
            });

    /**
     * Database upkeep: deletes history past retention.days and compacts the embedded file (long
     * deletes and page moves: not on any other thread).
     */
    private final java.util.concurrent.ScheduledExecutorService retentionThread =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "retention");
                t.setDaemon(true);
                return t;
            });

    private static java.util.concurrent.ScheduledThreadPoolExecutor relayTimers() {
        var timers = new java.util.concurrent.ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "relay-timers");
            t.setDaemon(true);
            return t;
        });
        timers.setRemoveOnCancelPolicy(true); // an ended call's timers leave the queue at once
        return timers;
    }
    private OptionsProbe probe;
    private AdminServer admin;
    private Router router;
    private boolean closed;
    /** Scale-out on a shared database (docs/scale-out.md); null when alone on the embedded one. */
    private ClusterNode cluster;
    private ChangeFeed changes;
    private CallRelay relay;
    /** Set when a shutdown starts draining: new calls get 503, /health 503 "draining". */
    private volatile boolean draining;
    /** The operator's metrics (GET /metrics, docs/metrics.md). */
    private final eu.minivoice.gateway.metrics.GatewayMetrics metrics = new eu.minivoice.gateway.metrics.GatewayMetrics();
    /** Customer and trunk call limits; in a cluster, told what the other nodes use. */
    private CallLimiter callLimiter;
    /** What the API and the router know of trunks' registrations (this node's or the cluster's). */
    private volatile RegistrationView registrationView;

    /**
     * @param console where the generated first-start API key is shown (stdout in production;
     *                never the log)
     */
    public Gateway(GatewayConfig config, Clock clock, RandomIdGenerator random, Consumer<String> console) {
        this.config = config;
        this.clock = clock;
        this.random = random;
        this.console = console;
    }

    public synchronized void start() throws StartupException {
        try {
            database = Database.open(config.database());
        } catch (Database.DatabaseStartException e) {
            throw new StartupException(e.getMessage(), e);
        }
        try {
            SecretBox secrets = openSecrets();
            CustomerService customers = new CustomerService(new JdbcCustomerStore(database.dataSource(), secrets),
                    new ApiKeys(random), random, clock, () -> random.randomToken(32), config.quotas());
            customers.bootstrap(config.customers().defaultCustomerId(), config.customers().defaultApiKey(),
                    key -> console.accept("Generated API key for " + config.customers().defaultCustomerId()
                            + " (shown once, store it now): " + key));
            JdbcTrunkStore trunkStore = new JdbcTrunkStore(database.dataSource(), secrets);
            JdbcApplicationStore applicationStore = new JdbcApplicationStore(database.dataSource(), secrets);
            JdbcNumberStore numberStore = new JdbcNumberStore(database.dataSource());
            String node = nodeId();
            JdbcOutboxStore outboxStore = new JdbcOutboxStore(database.dataSource(), node);
            ActionParser actionParser = new ActionParser();
            targetGuard = new TargetGuard(AddressPolicy.allowing(config.security().allowedPrivateCidrs()),
                    Duration.ofSeconds(2));
            ApplicationService applications = new ApplicationService(applicationStore, numberStore, trunkStore,
                    actionParser, random, () -> random.randomToken(32), clock, targetGuard, customers::quotas);
            NumberService numbers = new NumberService(numberStore, applicationStore, trunkStore, random, clock,
                    customers::quotas);
            TrunkService trunks = new TrunkService(trunkStore, new TrunkValidator(config.trunks(), config.security()),
                    applications::exists, targetGuard, random, clock, customers::quotas);
            RegistrationEvents registrationEvents = new RegistrationEvents(random);
            // Read once: every in-memory index below starts from the same rows (each read decrypts
            // every trunk password; with 10,000 trunks that is worth not doing six times).
            List<Trunk> storedTrunks = trunkStore.listAll();
            List<eu.minivoice.gateway.domain.PhoneNumber> storedNumbers = numberStore.listAll();
            startWebhooks(customers, applications, trunks, storedTrunks, outboxStore, actionParser);
            // Deliveries no live node sends: from before nodes were recorded, or (alone on the
            // embedded database) stored under another node id.
            outbox.adopt(config.database().shared() ? OutboxStore.Adoption.UNOWNED : OutboxStore.Adoption.ALL_OTHERS,
                    null, n -> {
                        if (n > 0) {
                            log.info("took over {} pending webhook deliveries stored without this node's id", n);
                        }
                    });

            List<IpRange> trusted = config.sip().trustedCidrs().stream().map(IpRange::parse).toList();
            sip = new SipServer(config.sip(), "minivoice-" + random.randomToken(8));
            // Trunk id → its proxy host, for the trunks that opted out of the TLS host name check.
            Map<String, String> tlsUnverified = new java.util.concurrent.ConcurrentHashMap<>();
            java.util.function.BiConsumer<Trunk, Trunk> tlsOptOut = (before, after) -> {
                if (before != null) {
                    tlsUnverified.remove(before.id());
                }
                if (after != null && !after.spec().tlsVerifyHostname()) {
                    tlsUnverified.put(after.id(), after.spec().proxyAddress().host().toLowerCase(java.util.Locale.ROOT)
                            .replace("[", "").replace("]", ""));
                }
            };
            storedTrunks.forEach(t -> tlsOptOut.accept(null, t));
            connectGate = new ConnectGate(config.sip().connectThreads(),
                    config.sip().connectsPerCustomer(), Duration.ofSeconds(5), System::nanoTime);
            trunks.addListener(tlsOptOut::accept);
            sip.tlsUnverifiedHosts(tlsUnverified::containsValue);
            callLimiter = new CallLimiter(System::nanoTime);
            OutboundRouter outboundRouter = new OutboundRouter(new RegistrationTrunkState(() -> registrationView),
                    callLimiter, customerId -> {
                var q = customers.quotas(customerId);
                return new OutboundRouter.CustomerLimits(positiveOrNull(q.concurrentCalls()),
                        positiveOrNull(q.callsPerSecond()));
            });
            storedTrunks.forEach(t -> outboundRouter.trunkChanged(null, t));
            storedNumbers.forEach(n -> outboundRouter.numberChanged(null, n));
            trunks.addListener(outboundRouter::trunkChanged);
            numbers.addListener(outboundRouter::numberChanged);
            locator = sipLocator(config.sip());
            targetGuard.locateSipWith(p -> locator.locate(p));
            inboundMatcher = new InboundMatcher(this::proxyAddresses);
            storedTrunks.forEach(t -> inboundMatcher.trunkChanged(null, t));
            storedNumbers.forEach(n -> inboundMatcher.numberChanged(null, n));
            trunks.addListener(inboundMatcher::trunkChanged);
            numbers.addListener(inboundMatcher::numberChanged);
            // DNS names of proxies are resolved here, never on a SIP thread: again every 5 minutes.
            dnsRefresh.scheduleWithFixedDelay(inboundMatcher::refreshProxyAddresses, 300, 300,
                    java.util.concurrent.TimeUnit.SECONDS);
            callStore = new JdbcCallStore(database.dataSource(), node);
            // Before any call of this run: what the last run left open can only be over now.
            int ended = callStore.endUnfinished(clock.instant());
            if (ended > 0) {
                log.warn("ended {} call record(s) this node ({}) left open when it last stopped (reason node_restart)",
                        ended, node);
            }
            if (config.database().shared()) {
                startChangeFeed(customers, applications, numbers, trunks, trunkStore, numberStore, applicationStore,
                        storedTrunks, storedNumbers);
                cluster = new ClusterNode(node, new JdbcClusterStore(database.dataSource()), clusterSettings(),
                        () -> changes == null ? List.of() : trunkMirror.values(), System::nanoTime, this::nodeLost);
            }
            callRecorder = new CallRecorder(callStore, 100_000);
            startRetention();
            startCompaction();
            CallObserver callObserver = new eu.minivoice.gateway.metrics.MetricsCallObserver(
                    new OutboxCallObserver(outbox, callEvents, callRecorder, clock), metrics);
            CallRelay relay = new CallRelay(sip, outboundRouter, callObserver,
                    random, () -> random.randomToken(10), clock, relayTimers,
                    Duration.ofMillis(config.relay().inviteTimeoutMs()), Duration.ofSeconds(config.relay().maxCallSeconds()),
                    actionFetcher, inboundMatcher::proxyAddresses, targetGuard.policy(), connectGate, locator);
            inboundGate = new InboundGate(sip, inboundMatcher, callObserver, random, () -> random.randomToken(10),
                    clock, relay::onInboundInvite, metrics);
            this.relay = relay;
            int overloadMs = config.sip().overloadDelayMs();
            sip.start(new SipEdge(trusted, random, relay, inboundGate, metrics,
                    () -> draining ? Math.max(1, config.shutdown().drainSeconds()) : -1,
                    () -> overloadMs > 0 && sip.queueDelayMillis() >= overloadMs));

            GatewayConfig.RegistrationConfig rc = config.registration();
            probe = new OptionsProbe(sip, () -> random.randomToken(10), targetGuard.policy(), connectGate, locator);
            registerSender = new JainSipRegisterSender(sip, () -> random.randomToken(10), targetGuard.policy(),
                    connectGate, locator, Duration.ofSeconds(rc.answerTimeoutSeconds()));
            registration = new RegistrationEngine(new RegistrationSettings(
                    Duration.ofSeconds(rc.answerTimeoutSeconds()), Duration.ofSeconds(rc.backoffMinSeconds()),
                    Duration.ofSeconds(rc.backoffMaxSeconds()), Duration.ofSeconds(rc.failedRetrySeconds()),
                    Duration.ofSeconds(rc.startupSpreadSeconds()), rc.timelineSize(),
                    Duration.ofSeconds(rc.pingTimeoutSeconds()), rc.pingDownAfter(), rc.pingUpAfter(),
                    Duration.ofSeconds(rc.connectionCheckSeconds())),
                    registerSender, clock, random::nextFraction, random,
                    probe, new eu.minivoice.gateway.metrics.MetricsRegistrationListener(
                            new OutboxRegistrationListener(outbox, registrationEvents), metrics),
                    cluster == null ? id -> true : cluster::owns);
            trunks.addListener(registration::trunkChanged);
            metrics.trunks(registration::statusCounts, registration::healthCounts);
            metrics.sipStack(sip::load);
            sip.onConnectionClosed(registration::connectionClosed);
            registration.startAll(storedTrunks);
            if (cluster != null) {
                registrationView = new SharedRegistrationView(cluster, registration);
                cluster.start(localTrunks(registration), callLimiter);
                changes.start();
            } else {
                registrationView = new LocalRegistrationView(node, registration);
            }

            Json json = new Json();
            router = new Router(new Authenticator(customers, config.admin().operatorApiKey()),
                    new AuthThrottle(clock, config.admin().authMaxFailures(), config.admin().authFailureWindowSeconds()));
            Map<String, BooleanSupplier> checks = new LinkedHashMap<>();
            checks.put("sip", sip::isListening);
            checks.put("database", database::isReachable);
            new HealthResource(checks, json, () -> draining).register(router);
            new TrunkMatchResource(inboundMatcher, json).register(router); // before /v1/trunks/{id}
            new TrunkResource(trunks, registrationView, new TrunkReadiness(registrationView, probe,
                    Duration.ofSeconds(rc.pingTimeoutSeconds()), inboundMatcher,
                    Math.max(1, config.admin().workerThreads() / 2)), inboundMatcher, json).register(router);
            new CustomerResource(customers, json).register(router);
            new EventResource(new EventHistory(outboxStore), outbox, json).register(router);
            new ApplicationResource(applications, json).register(router);
            new NumberResource(numbers, json).register(router);
            new AccountResource(customers, targetGuard, json).register(router);
            ActionTargets platformTargets = new ActionTargets(targetGuard);
            CallHistory callHistory = new CallHistory(callStore, relay::inProgress, node);
            RemoteHangUp otherNodes = RemoteHangUp.NONE;
            if (changes != null) {
                ClusterNode clusterNode = cluster;
                otherNodes = new NodeHangUps(node, changes, relay, n -> clusterNode.liveNodes().contains(n),
                        () -> random.randomToken(16));
            }
            new CallResource(callHistory, new eu.minivoice.gateway.service.CallOrigination(relay,
                    platformTargets::pinnedTarget, () -> draining ? Math.max(1, config.shutdown().drainSeconds()) : -1,
                    callHistory, otherNodes, node), json).register(router);
            new eu.minivoice.gateway.api.MetricsResource(metrics::scrape).register(router);
            new eu.minivoice.gateway.api.VersionResource(Version.current(), node, json).register(router);
            new eu.minivoice.gateway.api.OpenApiResource().register(router);
            admin = new AdminServer(config.admin().bind(), config.admin().port(), config.admin().maxBodyBytes(),
                    config.admin().workerThreads(), config.admin().maxQueuedRequests(), router, json);
            try {
                admin.start();
            } catch (BindException e) {
                throw new StartupException("admin port " + config.admin().bind() + ":" + config.admin().port()
                        + " is already in use", e);
            }
        } catch (SipStartException e) {
            close();
            throw new StartupException(e.getMessage(), e);
        } catch (StartupException e) {
            close();
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new StartupException("interrupted while starting", e);
        } catch (RuntimeException e) {
            close();
            throw new StartupException("start-up failed: " + e.getMessage(), e);
        }
        log.info("MiniVoice gateway ready: admin http://{}:{}, SIP external {} / internal {}",
                config.admin().bind(), admin.port(), config.sip().externalPort(), config.sip().internalPort());
    }

    /**
     * The dispatcher (docs/product.md §6): an in-memory directory of targets kept current by the services,
     * the durable outbox, the delivery scheduler and the action fetcher, sharing one HTTP client.
     */
    private void startWebhooks(CustomerService customers, ApplicationService applications, TrunkService trunks,
                               List<Trunk> storedTrunks, JdbcOutboxStore outboxStore, ActionParser parser) {
        GatewayConfig.WebhookConfig wc = config.webhooks();
        WebhookDirectory directory = new WebhookDirectory();
        applications.listAll().forEach(directory::putApplication);
        customers.list().forEach(directory::putCustomer);
        storedTrunks.forEach(t -> directory.putTrunk(t.id(), t.customerId(), t.spec().applicationId()));
        applications.addListener((before, after) -> {
            if (after == null) {
                directory.removeApplication(before.id());
            } else {
                directory.putApplication(after);
            }
        });
        customers.addListener(directory::putCustomer);
        trunks.addListener((before, after) -> {
            if (after == null) {
                directory.removeTrunk(before.id());
            } else {
                directory.putTrunk(after.id(), after.customerId(), after.spec().applicationId());
            }
        });
        webhookClient = new NettyWebhookClient(Duration.ofMillis(wc.connectTimeoutMs()), wc.httpThreads(),
                AddressPolicy.allowing(config.security().allowedPrivateCidrs()));
        outbox = new Outbox(outboxStore, directory, random, clock, wc.queueCapacity());
        dispatcher = new DeliveryScheduler(outboxStore, webhookClient, directory,
                new DeliveryPolicy(Duration.ofMillis(wc.backoffMinMs()), Duration.ofSeconds(wc.backoffMaxSeconds()),
                        Duration.ofSeconds(wc.maxAgeSeconds())),
                new DeliveryScheduler.Settings(wc.maxInFlightPerEndpoint(), wc.maxPendingPerEndpoint(),
                        wc.maxPendingTotal(), Duration.ofMillis(wc.timeoutMs()), wc.maxResponseBytes()),
                clock, random::nextFraction, outbox::update, metrics::deliveryAttempt);
        metrics.webhooks(dispatcher::stats, DeliveryScheduler.Stats::delivered, DeliveryScheduler.Stats::failed,
                DeliveryScheduler.Stats::retried, () -> outbox.queued() + dispatcher.stats().held());
        outbox.start(dispatcher);
        dispatcher.start();
        ObjectMapper mapper = new ObjectMapper();
        callEvents = new CallEvents(random, mapper);
        actionFetcher = new HttpActionFetcher(directory, webhookClient, outbox, callEvents, parser, mapper,
                Duration.ofMillis(wc.actionTimeoutMs()), wc.maxResponseBytes(), wc.maxActionFetches(), clock,
                new ActionTargets(targetGuard));
    }

    private ChangeFeed.Mirror<Trunk> trunkMirror;

    /**
     * History older than retention.days goes, a minute after start and then every hour, on a
     * thread of its own (docs/storage.md, "Retention").
     */
    private void startRetention() {
        int days = config.retention().days();
        if (days <= 0) {
            return;
        }
        eu.minivoice.gateway.store.Retention retention =
                new eu.minivoice.gateway.store.Retention(database.dataSource(), 10_000);
        retentionThread.scheduleWithFixedDelay(() -> {
            try {
                var purged = retention.purgeBefore(clock.instant().minus(Duration.ofDays(days)));
                if (purged.total() > 0) {
                    log.info("retention ({} days): deleted {} delivery, {} event and {} call record row(s)", days,
                            purged.deliveries(), purged.events(), purged.calls());
                }
            } catch (RuntimeException e) {
                log.warn("retention: {}; trying again in an hour", e.getMessage());
            }
        }, 60, 3600, java.util.concurrent.TimeUnit.SECONDS);
    }

    /**
     * The embedded H2 file: its sparsest chunks compacted every few seconds, as H2's own background
     * housekeeping would (it does not run with durable commits; Database#compactEmbedded). Nothing
     * to do on PostgreSQL (its autovacuum does this).
     */
    private void startCompaction() {
        java.util.concurrent.atomic.AtomicBoolean failing = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicReference<java.util.concurrent.ScheduledFuture<?>> self =
                new java.util.concurrent.atomic.AtomicReference<>();
        self.set(retentionThread.scheduleWithFixedDelay(() -> {
            try {
                int fill = database.compactEmbedded();
                if (fill < 0) {
                    self.get().cancel(false); // not H2: nothing to compact
                    return;
                }
                if (failing.getAndSet(false)) {
                    log.info("database compaction works again (chunks {} % live)", fill);
                }
            } catch (java.sql.SQLException | RuntimeException e) {
                if (!failing.getAndSet(true)) {
                    log.warn("database compaction failed: {}; trying again every {} s", e.toString(), COMPACT_EVERY_SECONDS);
                }
            }
        }, COMPACT_EVERY_SECONDS, COMPACT_EVERY_SECONDS, java.util.concurrent.TimeUnit.SECONDS));
    }

    private static final int COMPACT_EVERY_SECONDS = 5;

    /**
     * Changes made through other nodes' APIs reach this node's indexes through the same listeners
     * as its own (docs/scale-out.md); the trunk mirror is also what the lease keeper divides.
     */
    private void startChangeFeed(CustomerService customers, ApplicationService applications, NumberService numbers,
                                 TrunkService trunks, JdbcTrunkStore trunkStore, JdbcNumberStore numberStore,
                                 JdbcApplicationStore applicationStore, List<Trunk> storedTrunks,
                                 List<eu.minivoice.gateway.domain.PhoneNumber> storedNumbers) {
        var db = config.database();
        changes = new ChangeFeed(new JdbcClusterStore(database.dataSource()),
                () -> java.sql.DriverManager.getConnection(db.url(), db.user().isEmpty() ? null : db.user(),
                        db.password().isEmpty() ? null : db.password()),
                Duration.ofSeconds(config.node().reconcileSeconds()));
        trunkMirror = changes.mirror("trunk", Trunk::id, Trunk::customerId, trunkStore::find, trunkStore::listAll,
                storedTrunks, trunks::changedElsewhere);
        trunks.addListener(trunkMirror::changed);
        var numberMirror = changes.mirror("number", eu.minivoice.gateway.domain.PhoneNumber::id,
                eu.minivoice.gateway.domain.PhoneNumber::customerId, numberStore::find, numberStore::listAll,
                storedNumbers, numbers::changedElsewhere);
        numbers.addListener(numberMirror::changed);
        var applicationMirror = changes.mirror("application", eu.minivoice.gateway.domain.Application::id,
                eu.minivoice.gateway.domain.Application::customerId, applicationStore::find,
                applicationStore::listAll, applicationStore.listAll(), applications::changedElsewhere);
        applications.addListener(applicationMirror::changed);
        var customerMirror = changes.mirror("customer", eu.minivoice.gateway.domain.Customer::id,
                eu.minivoice.gateway.domain.Customer::id, (customerId, id) -> customers.find(id), customers::list,
                customers.list(), (before, after) -> {
                    if (after != null) {
                        customers.changedElsewhere(after);
                    }
                });
        customers.addListener(c -> customerMirror.changed(null, c));
    }

    private ClusterSettings clusterSettings() {
        var n = config.node();
        return new ClusterSettings(Duration.ofMillis(n.heartbeatMs()), Duration.ofSeconds(n.leaseSeconds()),
                Duration.ofSeconds(n.reconcileSeconds()),
                Duration.ofSeconds(config.registration().startupSpreadSeconds()));
    }

    private static ClusterNode.LocalTrunks localTrunks(RegistrationEngine engine) {
        return new ClusterNode.LocalTrunks() {
            @Override
            public void acquire(Trunk trunk, Duration delay) {
                engine.acquire(trunk, delay);
            }

            @Override
            public java.util.concurrent.CompletableFuture<Void> release(java.util.Collection<String> trunkIds) {
                return engine.release(trunkIds);
            }

            @Override
            public java.util.Optional<eu.minivoice.gateway.domain.RegistrationSnapshot> snapshot(String trunkId) {
                return engine.snapshot(trunkId);
            }

            @Override
            public java.util.Optional<eu.minivoice.gateway.domain.TrunkHealth> health(String trunkId) {
                return engine.health(trunkId);
            }

            @Override
            public List<eu.minivoice.gateway.domain.RegistrationView.RegisterTransaction> timeline(String trunkId) {
                return engine.timeline(trunkId);
            }
        };
    }

    /** Another node went silent (cluster thread): its open call records end, its deliveries go out from here. */
    private void nodeLost(String other) {
        int ended = callStore.endLeftOpenBy(other, clock.instant());
        if (ended > 0) {
            log.warn("ended {} call record(s) node {} left open (reason node_lost)", ended, other);
        }
        outbox.adopt(OutboxStore.Adoption.NODE, other, n -> {
            if (n > 0) {
                log.info("took over {} pending webhook deliveries of node {}", n, other);
            }
        });
    }

    /** What the SIP side asks about a new call (docs/product.md §5). */
    public ActionFetcher actionFetcher() {
        return actionFetcher;
    }

    /** Where call events are accepted (never blocks). */
    public Outbox outbox() {
        return outbox;
    }

    /** The dispatcher's counters (held, in flight, delivered, …), refreshed every 250 ms. */
    public DeliveryScheduler.Stats dispatcherStats() {
        return dispatcher.stats();
    }

    /** Inbound refusal counters (unknown source, matched-but-refused), for tests and metrics. */
    public InboundGate inbound() {
        return inboundGate;
    }

    public CallEvents callEvents() {
        return callEvents;
    }

    /**
     * The numeric addresses of a trunk's proxy, for the inbound contact-token rule and the relay's
     * "challenge from the trunk's proxy" check. Runs when a trunk changes (API thread), never per
     * INVITE; a DNS name is resolved then (and again at the
     * next change or restart). Unresolvable: no address, so the token rule cannot match it.
     */
    /**
     * The key for secrets at rest (docs/security.md), then every stored secret sealed with it: plain
     * ones from earlier versions are sealed now, and a key that does not open the sealed ones stops
     * the start (exit 3) rather than failing every Digest answer and signature later.
     */
    private SecretBox openSecrets() throws StartupException {
        var security = config.security();
        SecretKeys.Loaded key;
        try {
            key = SecretKeys.load(security.secretKey(), security.keyFile(config.database().dataDir()),
                    new java.security.SecureRandom());
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new StartupException("secret key: " + e.getMessage(), e);
        }
        if (key.generated()) {
            log.warn("generated the secret key for trunk passwords and webhook secrets in {} (mode 0600): back it up"
                    + " apart from the database — without it those secrets cannot be read", key.source());
        }
        SecretBox box = new SecretBox(key.key(), new java.security.SecureRandom());
        try {
            int sealed = SecretSealer.sealAndCheck(database.dataSource(), box);
            if (sealed > 0) {
                log.info("sealed {} secret(s) stored in plain by an earlier version", sealed);
            }
        } catch (SecretBox.WrongKeyException e) {
            throw new StartupException("the secret key from " + key.source() + " does not open the stored secrets ("
                    + e.getMessage() + "): start with the key they were sealed with", e);
        }
        return box;
    }

    /**
     * The proxy's addresses (every server its name leads to: NAPTR, SRV, A/AAAA), for inbound
     * matching and the digest-leak guard. Waits on DNS: called on the refresh thread, at start and
     * when a trunk is saved, never on a SIP thread.
     */
    private Set<String> proxyAddresses(Trunk trunk) {
        try {
            return eu.minivoice.gateway.domain.SipTarget.hosts(locator.locate(trunk.spec().proxyAddress())
                    .get(4L * config.sip().dns().timeoutMs(), java.util.concurrent.TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Set.of();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            log.warn("trunk {}: proxy {} does not resolve ({}); contact-token matching and answering its"
                    + " challenges are off until it resolves (checked every 5 minutes)", trunk.id(),
                    trunk.spec().proxyAddress().host(), e.getCause() == null ? e.toString() : e.getCause().getMessage());
            return Set.of();
        }
    }

    /** RFC 3263 with the configured (or the system's) DNS servers, for the transports this gateway offers. */
    private eu.minivoice.gateway.sip.dns.SipLocator sipLocator(GatewayConfig.SipConfig c) {
        Set<eu.minivoice.gateway.domain.SipTransport> offered = new java.util.HashSet<>();
        c.transports().forEach(t -> offered.add(eu.minivoice.gateway.domain.SipTransport.fromToken(t)));
        if (c.tls().enabled()) {
            offered.add(eu.minivoice.gateway.domain.SipTransport.TLS);
        }
        // Only servers of a family the carrier side listens on are reachable (IPv4 ones first).
        boolean v4 = !c.bind().contains(":");
        boolean v6 = c.bind().contains(":") || c.v6().enabled();
        return new eu.minivoice.gateway.sip.dns.DnsSipLocator(c.dns().serverAddresses(),
                Duration.ofMillis(c.dns().timeoutMs()), offered, v4, v6, dnsThread, new java.util.Random());
    }

    private static Integer positiveOrNull(Integer v) {
        return v != null && v > 0 ? v : null;
    }

    public int adminPort() {
        return admin.port();
    }

    /** The admin API's routes (compared with docs/openapi.yaml by a test). */
    public java.util.List<eu.minivoice.gateway.api.Route> apiRoutes() {
        return router.routes();
    }

    public GatewayConfig config() {
        return config;
    }

    /**
     * SIGTERM's first step (docs/operations.md): new calls refused at once (503 with Retry-After on
     * both sides, /health 503 "draining"), live calls may go on for shutdown.drain_seconds, then
     * whatever is still up ends (BYE on both legs). The admin API and registrations stay up meanwhile.
     */
    private void drain() {
        int seconds = config.shutdown().drainSeconds();
        if (seconds <= 0 || relay == null || admin == null) {
            return;
        }
        draining = true;
        int up = relay.activeCalls();
        log.info("draining: new calls refused; {} call(s) up may go on for at most {} s", up, seconds);
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(seconds);
        try {
            while (relay.activeCalls() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            int left = relay.activeCalls();
            if (left > 0) {
                log.warn("drain: {} call(s) still up after {} s: hanging up both legs", left, seconds);
                relay.endAll(seconds);
                // The BYEs and CANCELs are on their way; give their answers a moment before SIP closes.
                long grace = System.nanoTime() + 2_000_000_000L;
                while (relay.activeCalls() > 0 && System.nanoTime() < grace) {
                    Thread.sleep(50);
                }
                Thread.sleep(500);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("drained");
    }

    /** Stops taking requests, then SIP, then closes the database. Safe to call twice. */
    /** node.id, or host name:external SIP port (docs/storage.md). */
    String nodeId() {
        String id = config.node().id();
        if (!id.isEmpty()) {
            return id;
        }
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/hostname")).trim();
            } catch (java.io.IOException | RuntimeException e) {
                host = "gateway";
            }
        }
        return host + ":" + config.sip().externalPort();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        drain();
        if (admin != null) {
            admin.close();
        }
        if (changes != null) {
            changes.close();
        }
        if (targetGuard != null) {
            targetGuard.close();
        }
        if (registration != null) {
            registration.shutdown(Duration.ofSeconds(config.registration().shutdownUnregisterSeconds()));
        }
        if (cluster != null) {
            cluster.close(); // after the un-REGISTERs: the other nodes take over these trunks at once
        }
        if (registration != null) {
            registration.close();
        }
        if (probe != null) {
            probe.close();
        }
        if (registerSender != null) {
            registerSender.close();
        }
        relayTimers.shutdownNow();
        dnsRefresh.shutdownNow();
        dnsThread.shutdownNow();
        retentionThread.shutdownNow();
        if (connectGate != null) {
            connectGate.close();
        }
        if (sip != null) {
            sip.close();
        }
        if (callRecorder != null) {
            callRecorder.close(); // after SIP: the last calls' records are stored
        }
        if (dispatcher != null) {
            dispatcher.close(); // what is in flight stays pending in the database for the next start
        }
        if (outbox != null) {
            outbox.close(); // after the un-REGISTERs and the dispatcher, so their events and states are stored
        }
        if (webhookClient != null) {
            webhookClient.close();
        }
        if (database != null) {
            database.close();
        }
        metrics.close();
        log.info("MiniVoice gateway stopped");
    }
}
