package eu.minivoice.gateway.service;

import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.minivoice.gateway.domain.E164;
import eu.minivoice.gateway.domain.IdGenerator;
import eu.minivoice.gateway.domain.PhoneNumber;
import eu.minivoice.gateway.store.ApplicationStore;
import eu.minivoice.gateway.store.NumberStore;
import eu.minivoice.gateway.store.TrunkStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/**
 * A customer's DIDs (docs/product.md §2), stored in canonical E.164 whatever separators were sent. The
 * application and trunk a number names must be the same customer's (another tenant's id is
 * "not found" here too, never a way to reach their resources).
 */
public final class NumberService {
    private static final Logger log = LoggerFactory.getLogger(NumberService.class);
    static final Set<String> FIELDS = Set.of("number", "application_id", "trunk_id");
    static final Set<String> READ_ONLY = Set.of("id", "customer_id", "created_at", "updated_at", "verified");

    private final NumberStore store;
    private final ApplicationStore applications;
    private final TrunkStore trunks;
    private final IdGenerator ids;
    private final Clock clock;
    private final List<BiConsumer<PhoneNumber, PhoneNumber>> listeners = new CopyOnWriteArrayList<>();

    private final java.util.function.Function<String, eu.minivoice.gateway.domain.Quotas> quotas;

    public NumberService(NumberStore store, ApplicationStore applications, TrunkStore trunks, IdGenerator ids,
                         Clock clock, java.util.function.Function<String, eu.minivoice.gateway.domain.Quotas> quotas) {
        this.quotas = quotas;
        this.store = store;
        this.applications = applications;
        this.trunks = trunks;
        this.ids = ids;
        this.clock = clock;
    }

    /** (before, after): before null on create, after null on delete. */
    public void addListener(BiConsumer<PhoneNumber, PhoneNumber> listener) {
        listeners.add(listener);
    }

    /** A change another gateway node made and stored (docs/scale-out.md): the listeners hear of it as of any. */
    public void changedElsewhere(PhoneNumber before, PhoneNumber after) {
        listeners.forEach(l -> l.accept(before, after));
    }

    /** @throws ValidationException, eu.minivoice.gateway.store.DuplicateException (number taken) */
    public PhoneNumber create(String customerId, ObjectNode body) {
        Fields f = new Fields(body, FIELDS, READ_ONLY);
        String number = number(f);
        String app = applicationId(f, customerId);
        String trunk = trunkId(f, customerId);
        f.throwIfAny();
        requireNotVerifiedByAnother(customerId, number);
        Integer max = quotas.apply(customerId).numbers();
        if (eu.minivoice.gateway.domain.Quotas.reached(max, store.count(customerId))) {
            throw new QuotaExceededException("numbers", max);
        }
        Instant now = now();
        PhoneNumber n = new PhoneNumber(ids.newId("num"), customerId, number, app, trunk, now, now);
        store.insert(n);
        log.info("number {} ({}) added for {}", n.id(), number, customerId);
        listeners.forEach(l -> l.accept(null, n));
        return n;
    }

    public Optional<PhoneNumber> update(String customerId, String id, ObjectNode body) {
        Optional<PhoneNumber> before = store.find(customerId, id);
        if (before.isEmpty()) {
            return Optional.empty();
        }
        PhoneNumber b = before.get();
        Fields f = new Fields(body, FIELDS, READ_ONLY);
        String number = f.has("number") ? number(f) : b.number();
        String app = f.has("application_id") ? applicationId(f, customerId) : b.applicationId();
        String trunk = f.has("trunk_id") ? trunkId(f, customerId) : b.trunkId();
        f.throwIfAny();
        if (!number.equals(b.number())) {
            requireNotVerifiedByAnother(customerId, number);
        }
        // A changed number is no longer the one the operator verified.
        PhoneNumber after = new PhoneNumber(id, customerId, number, app, trunk, b.createdAt(), now(),
                b.verified() && number.equals(b.number()));
        if (!store.update(after)) {
            return Optional.empty();
        }
        listeners.forEach(l -> l.accept(b, after));
        return Optional.of(after);
    }

    /**
     * The operator marks a customer's number verified (or not). @return empty when the customer has
     * no such number @throws ConflictException when another customer's number is verified already
     */
    public Optional<PhoneNumber> setVerified(String customerId, String id, boolean verified) {
        Optional<PhoneNumber> before = store.find(customerId, id);
        if (before.isEmpty()) {
            return Optional.empty();
        }
        if (verified) {
            requireNotVerifiedByAnother(customerId, before.get().number());
        }
        PhoneNumber after = before.get().withVerified(verified, now());
        if (!store.update(after)) {
            return Optional.empty();
        }
        log.info("number {} ({}) of {} {}", id, after.number(), customerId, verified ? "verified" : "no longer verified");
        listeners.forEach(l -> l.accept(before.get(), after));
        return Optional.of(after);
    }

    /** A number another customer holds verified cannot be added (or verified) by anyone else. */
    private void requireNotVerifiedByAnother(String customerId, String number) {
        Optional<String> owner = store.verifiedOwner(number);
        if (owner.isPresent() && !owner.get().equals(customerId)) {
            // Says no more than "taken": which customer holds it is not this customer's business.
            throw new ConflictException(number + " is a verified number of another customer");
        }
    }

    public boolean delete(String customerId, String id) {
        Optional<PhoneNumber> before = store.find(customerId, id);
        if (before.isEmpty() || !store.delete(customerId, id)) {
            return false;
        }
        listeners.forEach(l -> l.accept(before.get(), null));
        return true;
    }

    public Optional<PhoneNumber> find(String customerId, String id) {
        return store.find(customerId, id);
    }

    public List<PhoneNumber> list(String customerId) {
        return store.list(customerId);
    }

    public List<PhoneNumber> page(String customerId, eu.minivoice.gateway.domain.PageRequest page) {
        return store.page(customerId, page);
    }

    private static String number(Fields f) {
        String raw = f.text("number");
        if (raw == null) {
            if (f.node("number") == null || f.node("number").isNull()) {
                f.error("number", "is required (E.164, e.g. +15551230002)");
            }
            return null;
        }
        Optional<String> n = E164.normalise(raw);
        if (n.isEmpty()) {
            f.error("number", "must be an E.164 number such as +15551230002");
            return null;
        }
        return n.get();
    }

    private String applicationId(Fields f, String customerId) {
        String id = f.text("application_id");
        if (id != null && applications.find(customerId, id).isEmpty()) {
            f.error("application_id", "no such application");
            return null;
        }
        return id;
    }

    private String trunkId(Fields f, String customerId) {
        String id = f.text("trunk_id");
        if (id != null && trunks.find(customerId, id).isEmpty()) {
            f.error("trunk_id", "no such trunk");
            return null;
        }
        return id;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
