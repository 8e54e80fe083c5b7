package eu.minivoice.gateway.service;

import eu.minivoice.gateway.domain.IdGenerator;
import eu.minivoice.gateway.domain.Trunk;
import eu.minivoice.gateway.domain.TrunkSpec;
import eu.minivoice.gateway.store.TrunkStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiPredicate;

/**
 * Trunk use cases: validate, store, and tell the SIP side (registration, inbound matching) about
 * every change through {@link TrunkChangeListener}s, so a change takes effect at once (docs/product.md §2).
 * Every operation is scoped by customer: a foreign id behaves exactly like a missing one.
 */
public final class TrunkService {
    private static final Logger log = LoggerFactory.getLogger(TrunkService.class);

    private final TrunkStore store;
    private final TrunkValidator validator;
    private final IdGenerator ids;
    private final Clock clock;
    private final List<TrunkChangeListener> listeners = new CopyOnWriteArrayList<>();

    /** (customer id, application id) → whether that customer has that application. */
    private final BiPredicate<String, String> applicationExists;

    private final TargetGuard targets;
    private final java.util.function.Function<String, eu.minivoice.gateway.domain.Quotas> quotas;

    public TrunkService(TrunkStore store, TrunkValidator validator, BiPredicate<String, String> applicationExists,
                        TargetGuard targets, IdGenerator ids, Clock clock,
                        java.util.function.Function<String, eu.minivoice.gateway.domain.Quotas> quotas) {
        this.quotas = quotas;
        this.targets = targets;
        this.store = store;
        this.applicationExists = applicationExists;
        this.validator = validator;
        this.ids = ids;
        this.clock = clock;
    }

    private void requireApplication(String customerId, TrunkSpec spec) {
        if (spec.applicationId() != null && !applicationExists.test(customerId, spec.applicationId())) {
            throw ValidationException.of("application_id", "no such application");
        }
    }

    /** A proxy named by a host name: judged by where it leads now (literals were checked by the validator). */
    private void requireAllowedProxy(TrunkSpec spec) {
        String refused = targets.proxyRefusal(spec.proxyAddress());
        if (refused != null) {
            throw ValidationException.of("proxy", refused);
        }
    }

    public void addListener(TrunkChangeListener listener) {
        listeners.add(listener);
    }

    /** A change another gateway node made and stored (docs/scale-out.md): the listeners hear of it as of any. */
    public void changedElsewhere(Trunk before, Trunk after) {
        listeners.forEach(l -> l.trunkChanged(before, after));
    }

    /** @throws ValidationException, eu.minivoice.gateway.store.DuplicateException */
    public Trunk create(String customerId, Map<TrunkField, Object> fields) {
        TrunkSpec spec = validator.create(fields);
        requireApplication(customerId, spec);
        requireAllowedProxy(spec);
        Integer max = quotas.apply(customerId).trunks();
        if (eu.minivoice.gateway.domain.Quotas.reached(max, store.count(customerId))) {
            throw new QuotaExceededException("trunks", max);
        }
        Instant now = now();
        Trunk trunk = new Trunk(ids.newId("trunk"), customerId, spec, now, now);
        store.insert(trunk);
        log.info("trunk {} created for {} (proxy {}, active {})", trunk.id(), customerId, spec.proxy(), spec.active());
        listeners.forEach(l -> l.trunkChanged(null, trunk));
        return trunk;
    }

    /** @return empty when the customer has no such trunk */
    public Optional<Trunk> update(String customerId, String trunkId, Map<TrunkField, Object> fields) {
        Optional<Trunk> before = store.find(customerId, trunkId);
        if (before.isEmpty()) {
            return Optional.empty();
        }
        TrunkSpec spec = validator.patch(before.get().spec(), fields);
        if (fields.containsKey(TrunkField.APPLICATION_ID)) {
            requireApplication(customerId, spec);
        }
        if (fields.containsKey(TrunkField.PROXY)) {
            requireAllowedProxy(spec);
        }
        Instant now = now();
        Trunk after = new Trunk(trunkId, customerId, spec, before.get().createdAt(), now,
                before.get().inboundClaims().next(spec.inboundIp(), now));
        if (!store.update(after)) {
            return Optional.empty(); // deleted meanwhile
        }
        log.info("trunk {} updated ({})", trunkId, fields.keySet().stream().map(TrunkField::json).toList());
        listeners.forEach(l -> l.trunkChanged(before.get(), after));
        return Optional.of(after);
    }

    public boolean delete(String customerId, String trunkId) {
        Optional<Trunk> before = store.find(customerId, trunkId);
        if (before.isEmpty() || !store.delete(customerId, trunkId)) {
            return false;
        }
        log.info("trunk {} deleted", trunkId);
        listeners.forEach(l -> l.trunkChanged(before.get(), null));
        return true;
    }

    public Optional<Trunk> find(String customerId, String trunkId) {
        return store.find(customerId, trunkId);
    }

    public List<Trunk> list(String customerId) {
        return store.list(customerId);
    }

    public List<Trunk> page(String customerId, eu.minivoice.gateway.domain.PageRequest page) {
        return store.page(customerId, page);
    }

    /** API timestamps have millisecond precision; storing the same keeps reads equal to writes. */
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
