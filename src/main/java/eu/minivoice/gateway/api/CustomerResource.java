package eu.minivoice.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.minivoice.gateway.domain.Customer;
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
                .add(new Route("POST", "/v1/customers/{id}/api_keys", OPERATOR, this::newKey));
    }

    private ApiResponse list(ApiRequest r) {
        List<Customer> all = customers.list();
        ObjectNode root = json.object();
        ArrayNode data = root.putArray("data");
        all.forEach(c -> data.add(view(c)));
        root.put("count", all.size());
        return ApiResponse.ok(root);
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
        return n;
    }
}
