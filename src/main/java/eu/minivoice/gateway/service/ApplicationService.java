package eu.minivoice.gateway.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.minivoice.gateway.actions.ActionParser;
import eu.minivoice.gateway.actions.InvalidActionsException;
import eu.minivoice.gateway.domain.Application;
import eu.minivoice.gateway.domain.IdGenerator;
import eu.minivoice.gateway.domain.WebhookUrl;
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
import java.util.function.Supplier;

/**
 * Applications (docs/product.md §2): validated at save time (URLs usable by the dispatcher, the fallback a
 * valid action list), a signing secret generated when none is given and shown only in the create
 * answer. Listeners (the webhook directory) hear of every change.
 */
public final class ApplicationService {
    private static final Logger log = LoggerFactory.getLogger(ApplicationService.class);
    static final Set<String> FIELDS = Set.of("name", "webhook_url", "status_callback_url", "fallback_action",
            "webhook_secret");
    static final Set<String> READ_ONLY = Set.of("id", "customer_id", "created_at", "updated_at");
    static final int MAX_FALLBACK_CHARS = 8000;

    /** A created application with its secret in clear: the only time the API shows it. */
    public record Created(Application application, String webhookSecret) {
    }

    private final ApplicationStore store;
    private final NumberStore numbers;
    private final TrunkStore trunks;
    private final ActionParser parser;
    private final IdGenerator ids;
    private final Supplier<String> secrets;
    private final Clock clock;
    /** (before, after): before null on create, after null on delete. */
    private final List<BiConsumer<Application, Application>> listeners = new CopyOnWriteArrayList<>();

    private final TargetGuard targets;
    private final java.util.function.Function<String, eu.minivoice.gateway.domain.Quotas> quotas;

    public ApplicationService(ApplicationStore store, NumberStore numbers, TrunkStore trunks, ActionParser parser,
                              IdGenerator ids, Supplier<String> secrets, Clock clock, TargetGuard targets,
                              java.util.function.Function<String, eu.minivoice.gateway.domain.Quotas> quotas) {
        this.quotas = quotas;
        this.targets = targets;
        this.store = store;
        this.numbers = numbers;
        this.trunks = trunks;
        this.parser = parser;
        this.ids = ids;
        this.secrets = secrets;
        this.clock = clock;
    }

    public void addListener(BiConsumer<Application, Application> listener) {
        listeners.add(listener);
    }

    /** A change another gateway node made and stored (docs/scale-out.md): the listeners hear of it as of any. */
    public void changedElsewhere(Application before, Application after) {
        listeners.forEach(l -> l.accept(before, after));
    }

    /** @throws ValidationException, eu.minivoice.gateway.store.DuplicateException */
    public Created create(String customerId, ObjectNode body) {
        Fields f = new Fields(body, FIELDS, READ_ONLY);
        String name = name(f, true);
        String webhook = url(f, "webhook_url", true);
        String callback = url(f, "status_callback_url", false);
        String fallback = fallback(f);
        String secret = secret(f);
        f.throwIfAny();
        boolean generated = secret == null;
        if (generated) {
            secret = "whsec_" + secrets.get();
        }
        Integer max = quotas.apply(customerId).applications();
        if (eu.minivoice.gateway.domain.Quotas.reached(max, store.count(customerId))) {
            throw new QuotaExceededException("applications", max);
        }
        Instant now = now();
        Application app = new Application(ids.newId("app"), customerId, name, webhook, callback, fallback, secret, now, now);
        store.insert(app);
        log.info("application {} created for {} (webhook {})", app.id(), customerId, webhook);
        listeners.forEach(l -> l.accept(null, app));
        return new Created(app, secret);
    }

    /** Only the fields present change; null clears an optional one. */
    public Optional<Application> update(String customerId, String id, ObjectNode body) {
        Optional<Application> before = store.find(customerId, id);
        if (before.isEmpty()) {
            return Optional.empty();
        }
        Application b = before.get();
        Fields f = new Fields(body, FIELDS, READ_ONLY);
        String name = f.has("name") ? name(f, true) : b.name();
        String webhook = f.has("webhook_url") ? url(f, "webhook_url", true) : b.webhookUrl();
        String callback = f.has("status_callback_url") ? url(f, "status_callback_url", false) : b.statusCallbackUrl();
        String fallback = f.has("fallback_action") ? fallback(f) : b.fallbackAction();
        String secret = b.webhookSecret();
        if (f.has("webhook_secret")) {
            secret = secret(f);
            if (secret == null) {
                f.error("webhook_secret", "cannot be removed; set a new one to rotate it");
            }
        }
        f.throwIfAny();
        Application after = new Application(id, customerId, name, webhook, callback, fallback, secret, b.createdAt(), now());
        if (!store.update(after)) {
            return Optional.empty();
        }
        log.info("application {} updated", id);
        listeners.forEach(l -> l.accept(b, after));
        return Optional.of(after);
    }

    /** @throws ConflictException while numbers or trunks still send calls to it */
    public boolean delete(String customerId, String id) {
        Optional<Application> before = store.find(customerId, id);
        if (before.isEmpty()) {
            return false;
        }
        long usedByNumbers = numbers.list(customerId).stream().filter(n -> id.equals(n.applicationId())).count();
        long usedByTrunks = trunks.list(customerId).stream().filter(t -> id.equals(t.spec().applicationId())).count();
        if (usedByNumbers + usedByTrunks > 0) {
            throw new ConflictException("application " + id + " is used by " + usedByNumbers + " number(s) and "
                    + usedByTrunks + " trunk(s); point them elsewhere first");
        }
        if (!store.delete(customerId, id)) {
            return false;
        }
        log.info("application {} deleted", id);
        listeners.forEach(l -> l.accept(before.get(), null));
        return true;
    }

    public Optional<Application> find(String customerId, String id) {
        return store.find(customerId, id);
    }

    public boolean exists(String customerId, String id) {
        return store.find(customerId, id).isPresent();
    }

    public List<Application> list(String customerId) {
        return store.list(customerId);
    }

    public List<Application> page(String customerId, eu.minivoice.gateway.domain.PageRequest page) {
        return store.page(customerId, page);
    }

    public List<Application> listAll() {
        return store.listAll();
    }

    private static String name(Fields f, boolean required) {
        String name = f.text("name");
        if (name == null) {
            if (required && (f.node("name") == null || f.node("name").isNull())) {
                f.error("name", "is required");
            }
            return null;
        }
        name = name.strip();
        if (name.isEmpty() || name.length() > 100 || Fields.hasControl(name)) {
            f.error("name", "must be 1 to 100 characters without control characters");
        }
        return name;
    }

    private String url(Fields f, String field, boolean required) {
        String url = f.text(field);
        if (url == null) {
            if (required && (f.node(field) == null || f.node(field).isNull())) {
                f.error(field, "is required");
            }
            return null;
        }
        String problem = WebhookUrl.problem(url.strip());
        if (problem == null) {
            problem = targets.urlRefusal(url.strip());
        }
        if (problem != null) {
            f.error(field, problem);
        }
        return url.strip();
    }

    private String fallback(Fields f) {
        JsonNode node = f.node("fallback_action");
        if (node == null || node.isNull()) {
            return null;
        }
        try {
            // The targets are vetted here for a quick answer, and again whenever the fallback runs.
            new ActionTargets(targets).vet(parser.parseFallback(node)).get(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InvalidActionsException e) {
            f.error("fallback_action", e.getMessage());
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            f.error("fallback_action", String.valueOf(e.getCause().getMessage()));
            return null;
        } catch (java.util.concurrent.TimeoutException e) {
            f.error("fallback_action", "its targets could not be checked in time, try again");
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.error("fallback_action", "interrupted");
            return null;
        }
        String text = node.toString();
        if (text.length() > MAX_FALLBACK_CHARS) {
            f.error("fallback_action", "must be at most " + MAX_FALLBACK_CHARS + " characters of JSON");
        }
        return text;
    }

    private static String secret(Fields f) {
        String s = f.text("webhook_secret");
        if (s != null && !s.matches("[\\x21-\\x7E]{16,256}")) {
            f.error("webhook_secret", "must be 16 to 256 printable characters without spaces");
            return null;
        }
        return s;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
