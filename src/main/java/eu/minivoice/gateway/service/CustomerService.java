package eu.minivoice.gateway.service;

import eu.minivoice.gateway.domain.ApiKeyInfo;
import eu.minivoice.gateway.domain.Customer;
import eu.minivoice.gateway.domain.Quotas;
import eu.minivoice.gateway.domain.IdGenerator;
import eu.minivoice.gateway.store.CustomerStore;
import eu.minivoice.gateway.store.DuplicateException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** Customers (tenants) and their API keys. Keys are shown once at creation and stored hashed. */
public final class CustomerService {
    static final String ORIGIN_CONFIG = "config";
    private static final Logger log = LoggerFactory.getLogger(CustomerService.class);

    /** A customer with the key just made for it: the only moment the key exists in clear. */
    public record NewCustomer(Customer customer, String apiKey) {
    }

    private final CustomerStore store;
    private final ApiKeys keys;
    private final IdGenerator ids;
    private final Clock clock;
    private final Supplier<String> secretSource;
    private final List<Consumer<Customer>> listeners = new CopyOnWriteArrayList<>();
    private final Quotas defaults;
    /** Every customer's quotas in effect, in memory: the call path asks for them per INVITE. */
    private final Map<String, Quotas> quotas = new ConcurrentHashMap<>();

    public CustomerService(CustomerStore store, ApiKeys keys, IdGenerator ids, Clock clock,
                           Supplier<String> secretSource, Quotas defaults) {
        this.defaults = defaults;
        this.store = store;
        this.keys = keys;
        this.ids = ids;
        this.clock = clock;
        this.secretSource = secretSource;
    }

    /**
     * First start: creates the default customer. With {@code configuredKey} set, that key is made
     * valid for the default customer on every start (so MINIVOICE_API_KEY always works); without
     * it, the first start generates a key and hands it to {@code showOnce} (never to the log).
     */
    public void bootstrap(String defaultCustomerId, String configuredKey, Consumer<String> showOnce) {
        boolean firstStart = store.list().isEmpty();
        if (firstStart) {
            store.insert(new Customer(defaultCustomerId, "Default customer", now()));
            log.info("first start: created default customer {}", defaultCustomerId);
        }
        store.list().forEach(c -> quotas.put(c.id(), c.quotas().over(defaults)));
        if (!configuredKey.isEmpty()) {
            String hash = ApiKeys.hash(configuredKey);
            Optional<String> owner = store.customerIdForKeyHash(hash);
            if (owner.isEmpty()) {
                if (store.find(defaultCustomerId).isEmpty()) {
                    log.warn("the configured API key is not installed: customer {} does not exist", defaultCustomerId);
                    return;
                }
                store.addApiKey(ids.newId("key"), defaultCustomerId, hash, ApiKeys.hint(configuredKey), ORIGIN_CONFIG,
                        now());
                log.info("configured API key installed for {}", defaultCustomerId); // no part of a key in logs
            } else if (!owner.get().equals(defaultCustomerId)) {
                log.warn("the configured API key belongs to {}, not to {}; left as it is", owner.get(), defaultCustomerId);
                return;
            }
            // A changed MINIVOICE_API_KEY replaces the one configured before: rotating it revokes the old one.
            int replaced = store.deleteApiKeysOfOrigin(defaultCustomerId, ORIGIN_CONFIG, hash);
            if (replaced > 0) {
                log.info("{} previously configured API key(s) of {} revoked", replaced, defaultCustomerId);
            }
        } else if (firstStart) {
            String key = keys.generate();
            store.addApiKey(ids.newId("key"), defaultCustomerId, ApiKeys.hash(key), ApiKeys.hint(key), "generated",
                    now());
            showOnce.accept(key);
        }
    }

    /** The customer's quotas in effect (the defaults for an unknown customer); from memory. */
    public Quotas quotas(String customerId) {
        return quotas.getOrDefault(customerId, defaults);
    }

    /**
     * The operator sets the customer's own quotas (null fields: back to the defaults).
     * @return the customer after the change, or empty when there is no such customer
     */
    public Optional<Customer> setQuotas(String customerId, Quotas own) {
        if (!store.updateQuotas(customerId, own)) {
            return Optional.empty();
        }
        quotas.put(customerId, own.over(defaults));
        log.info("quotas of {} set to {}", customerId, own.over(defaults));
        Optional<Customer> after = store.find(customerId);
        after.ifPresent(c -> listeners.forEach(l -> l.accept(c)));
        return after;
    }

    /** The customer's keys as the operator may see them (ids and hints, never keys). */
    public List<ApiKeyInfo> apiKeys(String customerId) {
        return store.apiKeys(customerId);
    }

    /** Revokes a key at once. @return false when the customer has no such key */
    public boolean revokeApiKey(String customerId, String keyId) {
        boolean done = store.deleteApiKey(customerId, keyId);
        if (done) {
            log.info("API key {} of {} revoked", keyId, customerId);
        }
        return done;
    }

    /** The customer a presented key belongs to. */
    public Optional<String> authenticate(String presentedKey) {
        if (presentedKey == null || presentedKey.isEmpty() || presentedKey.length() > 200) {
            return Optional.empty();
        }
        return store.customerIdForKeyHash(ApiKeys.hash(presentedKey));
    }

    /**
     * @param requestedId an explicit cust_… id, or null for a generated one
     * @throws DuplicateException when the id is taken
     */
    public NewCustomer create(String name, String requestedId) {
        Customer c = new Customer(requestedId != null ? requestedId : ids.newId("cust"), name, now());
        store.insert(c);
        quotas.put(c.id(), defaults);
        listeners.forEach(l -> l.accept(c));
        String key = newApiKey(c.id());
        log.info("customer {} created", c.id());
        return new NewCustomer(c, key);
    }

    /** A new key for an existing customer; earlier keys stay valid. */
    public String newApiKey(String customerId) {
        String key = keys.generate();
        store.addApiKey(ids.newId("key"), customerId, ApiKeys.hash(key), ApiKeys.hint(key), "api", now());
        return key;
    }

    /**
     * Sets where the customer's trunk events go. A secret is generated when none is given and the
     * customer has none yet. @return the customer after the change and the secret when generated
     * (the only time it is shown), or empty when there is no such customer
     */
    public Optional<EventsChange> updateEvents(String customerId, String url, boolean urlGiven, String secret) {
        Optional<Customer> before = store.find(customerId);
        if (before.isEmpty()) {
            return Optional.empty();
        }
        String newUrl = urlGiven ? url : before.get().eventsUrl();
        String newSecret = secret != null ? secret : before.get().eventsSecret();
        String generated = null;
        if (newUrl != null && newSecret == null) {
            generated = "whsec_" + secretSource.get();
            newSecret = generated;
        }
        if (!store.updateEvents(customerId, newUrl, newSecret)) {
            return Optional.empty();
        }
        Customer after = before.get().withEvents(newUrl, newSecret);
        log.info("customer {}: events_url {}", customerId, newUrl == null ? "cleared" : "set to " + newUrl);
        listeners.forEach(l -> l.accept(after));
        return Optional.of(new EventsChange(after, generated));
    }

    /** A customer after an events change, with the generated secret (null if none was generated). */
    public record EventsChange(Customer customer, String generatedSecret) {
    }

    /** Told of every customer created or changed (events target, quotas). */
    public void addListener(Consumer<Customer> listener) {
        listeners.add(listener);
    }

    /** A change another gateway node made and stored (docs/scale-out.md): quotas and listeners as for any. */
    public void changedElsewhere(Customer after) {
        quotas.put(after.id(), after.quotas().over(defaults));
        listeners.forEach(l -> l.accept(after));
    }

    public Optional<Customer> find(String customerId) {
        return store.find(customerId);
    }

    public List<Customer> list() {
        return store.list();
    }

    public List<Customer> page(eu.minivoice.gateway.domain.PageRequest page) {
        return store.page(page);
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
