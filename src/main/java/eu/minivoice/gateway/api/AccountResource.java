package eu.minivoice.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.minivoice.gateway.domain.Customer;
import eu.minivoice.gateway.domain.WebhookUrl;
import eu.minivoice.gateway.service.CustomerService;
import eu.minivoice.gateway.service.TargetGuard;
import eu.minivoice.gateway.service.ValidationException;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static eu.minivoice.gateway.api.Route.Access.CUSTOMER;

/**
 * /v1/account: the calling customer's own settings. {@code events_url} receives the customer's
 * trunk events (docs/product.md §6), signed with {@code events_secret}; the secret is write-only (shown
 * once when the gateway generates it).
 */
public final class AccountResource {
    private static final Set<String> FIELDS = Set.of("events_url", "events_secret");

    private final CustomerService customers;
    private final Json json;
    private final TargetGuard targets;

    public AccountResource(CustomerService customers, TargetGuard targets, Json json) {
        this.customers = customers;
        this.targets = targets;
        this.json = json;
    }

    public void register(Router router) {
        router.add(new Route("GET", "/v1/account", CUSTOMER, this::get))
                .add(new Route("PATCH", "/v1/account", CUSTOMER, this::patch));
    }

    private ApiResponse get(ApiRequest r) {
        Customer c = customers.find(r.customerId()).orElseThrow(() -> ApiException.notFound("account"));
        ObjectNode root = json.object();
        root.set("data", view(c));
        return ApiResponse.ok(root);
    }

    private ApiResponse patch(ApiRequest r) {
        ObjectNode body = json.readObject(r.body());
        List<ValidationException.FieldError> errors = new ArrayList<>();
        body.fieldNames().forEachRemaining(f -> {
            if (!FIELDS.contains(f)) {
                errors.add(new ValidationException.FieldError(f, "unknown field"));
            }
        });
        String url = null;
        JsonNode u = body.get("events_url");
        if (u != null && !u.isNull()) {
            String problem = u.isTextual() ? WebhookUrl.problem(u.textValue().strip()) : "must be a string";
            if (problem == null) {
                problem = targets.urlRefusal(u.textValue().strip());
            }
            if (problem != null) {
                errors.add(new ValidationException.FieldError("events_url", problem));
            } else {
                url = u.textValue().strip();
            }
        }
        String secret = null;
        JsonNode s = body.get("events_secret");
        if (s != null && !s.isNull()) {
            if (!s.isTextual() || !s.textValue().matches("[\\x21-\\x7E]{16,256}")) {
                errors.add(new ValidationException.FieldError("events_secret",
                        "must be 16 to 256 printable characters without spaces"));
            } else {
                secret = s.textValue();
            }
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        CustomerService.EventsChange change = customers.updateEvents(r.customerId(), url, body.has("events_url"), secret)
                .orElseThrow(() -> ApiException.notFound("account"));
        ObjectNode view = view(change.customer());
        if (change.generatedSecret() != null) {
            view.put("events_secret", change.generatedSecret());
        }
        ObjectNode root = json.object();
        root.set("data", view);
        return ApiResponse.ok(root);
    }

    private ObjectNode view(Customer c) {
        ObjectNode n = json.object();
        n.put("id", c.id());
        n.put("name", c.name());
        n.put("events_url", c.eventsUrl());
        n.put("has_events_secret", c.eventsSecret() != null);
        n.put("created_at", Json.time(c.createdAt()));
        n.set("quotas", CustomerResource.quotasView(json, customers.quotas(c.id())));
        return n;
    }
}
