package eu.minivoice.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.minivoice.gateway.domain.ApiKeyInfo;
import eu.minivoice.gateway.domain.Customer;
import eu.minivoice.gateway.domain.Quotas;
import eu.minivoice.gateway.service.CustomerService;
import eu.minivoice.gateway.service.ValidationException;

import java.util.List;
import java.util.Set;

import static eu.minivoice.gateway.api.Route.Access.OPERATOR;

/**
 * /v1/customers, for the operator key only: create tenants and issue their API keys. A key is in
 * the response exactly once, when it is made; it is stored hashed and cannot be shown again.
 */
public final class CustomerResource {
    private static final Set<String> CREATE_FIELDS = Set.of("id", "name");

    private final CustomerService customers;
    private final Json json;

    public CustomerResource(CustomerService customers, Json json) {
        this.customers = customers;
        this.json = json;
    }

    public void register(Router router) {
        router.add(new Route("GET", "/v1/customers", OPERATOR, this::list))
                .add(new Route("POST", "/v1/customers", OPERATOR, this::create))
                .add(new Route("GET", "/v1/customers/{id}", OPERATOR, this::get))
                .add(new Route("PATCH", "/v1/customers/{id}", OPERATOR, this::patch))
                .add(new Route("POST", "/v1/customers/{id}/api_keys", OPERATOR, this::newKey))
                .add(new Route("GET", "/v1/customers/{id}/api_keys", OPERATOR, this::keys))
                .add(new Route("DELETE", "/v1/customers/{id}/api_keys/{key_id}", OPERATOR, this::revokeKey));
    }

    private ApiResponse list(ApiRequest r) {
        var page = Paging.request(r);
        return ApiResponse.ok(Paging.page(json, customers.page(page), page, this::view, Customer::id));
    }

    private ApiResponse create(ApiRequest r) {
        ObjectNode body = json.readObject(r.body());
        body.fieldNames().forEachRemaining(f -> {
            if (!CREATE_FIELDS.contains(f)) {
                throw ValidationException.of(f, "unknown field");
            }
        });
        String name = text(body, "name", true);
        if (name.isBlank() || name.length() > 200) {
            throw ValidationException.of("name", "must be 1 to 200 characters");
        }
        String id = text(body, "id", false);
        if (id != null && !id.matches("cust_[A-Za-z0-9_]{1,64}")) {
            throw ValidationException.of("id", "must look like cust_<letters, digits, _>");
        }
        CustomerService.NewCustomer created = customers.create(name.strip(), id);
        ObjectNode view = view(created.customer());
        view.put("api_key", created.apiKey());
        ObjectNode root = json.object();
        root.set("data", view);
        return ApiResponse.created(root);
    }

    private ApiResponse get(ApiRequest r) {
        Customer c = customers.find(r.pathParam("id"))
                .orElseThrow(() -> ApiException.notFound("customer " + r.pathParam("id")));
        ObjectNode root = json.object();
        root.set("data", view(c));
        return ApiResponse.ok(root);
    }

    private ApiResponse newKey(ApiRequest r) {
        Customer c = customers.find(r.pathParam("id"))
                .orElseThrow(() -> ApiException.notFound("customer " + r.pathParam("id")));
        ObjectNode root = json.object();
        root.putObject("data").put("customer_id", c.id()).put("api_key", customers.newApiKey(c.id()));
        return ApiResponse.created(root);
    }

    private static final java.util.List<String> QUOTA_FIELDS = java.util.List.of("trunks", "applications", "numbers",
            "concurrent_calls", "calls_per_second");

    /**
     * The operator sets a customer's quotas: {@code {"quotas":{"trunks":200,"calls_per_second":null}}};
     * a field given replaces the customer's own value (null: back to the default), others stay.
     */
    private ApiResponse patch(ApiRequest r) {
        Customer c = customers.find(r.pathParam("id"))
                .orElseThrow(() -> ApiException.notFound("customer " + r.pathParam("id")));
        ObjectNode body = json.readObject(r.body());
        body.fieldNames().forEachRemaining(f -> {
            if (!f.equals("quotas")) {
                throw ValidationException.of(f, "unknown field (the operator sets quotas here)");
            }
        });
        JsonNode q = body.get("quotas");
        if (q == null || !q.isObject()) {
            throw ValidationException.of("quotas", "must be an object");
        }
        q.fieldNames().forEachRemaining(f -> {
            if (!QUOTA_FIELDS.contains(f)) {
                throw ValidationException.of("quotas." + f, "unknown quota (one of " + String.join(", ", QUOTA_FIELDS) + ")");
            }
        });
        Quotas own = c.quotas();
        Quotas next = new Quotas(quota(q, "trunks", own.trunks()), quota(q, "applications", own.applications()),
                quota(q, "numbers", own.numbers()), quota(q, "concurrent_calls", own.concurrentCalls()),
                quota(q, "calls_per_second", own.callsPerSecond()));
        Customer after = customers.setQuotas(c.id(), next)
                .orElseThrow(() -> ApiException.notFound("customer " + r.pathParam("id")));
        ObjectNode root = json.object();
        root.set("data", view(after));
        return ApiResponse.ok(root);
    }

    private static Integer quota(JsonNode q, String field, Integer current) {
        if (!q.has(field)) {
            return current;
        }
        JsonNode v = q.get(field);
        if (v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || v.asLong() < 0 || v.asLong() > 10_000_000) {
            throw ValidationException.of("quotas." + field, "must be a whole number from 0 (no limit) to 10000000, or null");
        }
        return v.asInt();
    }

    /** Ids and hints only: a key is shown once, when it is made. */
    private ApiResponse keys(ApiRequest r) {
        Customer c = customers.find(r.pathParam("id"))
                .orElseThrow(() -> ApiException.notFound("customer " + r.pathParam("id")));
        ObjectNode root = json.object();
        ArrayNode data = root.putArray("data");
        for (ApiKeyInfo k : customers.apiKeys(c.id())) {
            data.addObject().put("id", k.id()).put("customer_id", k.customerId()).put("hint", k.hint() + "…")
                    .put("origin", k.origin()).put("created_at", Json.time(k.createdAt()));
        }
        root.put("count", data.size());
        return ApiResponse.ok(root);
    }

    private ApiResponse revokeKey(ApiRequest r) {
        if (!customers.revokeApiKey(r.pathParam("id"), r.pathParam("key_id"))) {
            throw ApiException.notFound("API key " + r.pathParam("key_id"));
        }
        return ApiResponse.noContent();
    }

    private static String text(ObjectNode body, String field, boolean required) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw ValidationException.of(field, "is required");
            }
            return null;
        }
        if (!v.isTextual()) {
            throw ValidationException.of(field, "must be a string");
        }
        return v.textValue();
    }

    private ObjectNode view(Customer c) {
        ObjectNode n = json.object();
        n.put("id", c.id());
        n.put("name", c.name());
        n.put("created_at", Json.time(c.createdAt()));
        n.set("quotas", quotasView(json, customers.quotas(c.id())));
        return n;
    }

    /** The quotas in effect (0 = no limit). */
    static ObjectNode quotasView(Json json, Quotas q) {
        ObjectNode n = json.object();
        n.put("trunks", q.trunks());
        n.put("applications", q.applications());
        n.put("numbers", q.numbers());
        n.put("concurrent_calls", q.concurrentCalls());
        n.put("calls_per_second", q.callsPerSecond());
        return n;
    }
}
