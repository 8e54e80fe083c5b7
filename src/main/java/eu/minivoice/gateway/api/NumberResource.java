package eu.minivoice.gateway.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.minivoice.gateway.domain.PhoneNumber;
import eu.minivoice.gateway.service.NumberService;
import eu.minivoice.gateway.service.ValidationException;

import java.util.List;

import static eu.minivoice.gateway.api.Route.Access.CUSTOMER;
import static eu.minivoice.gateway.api.Route.Access.OPERATOR;

/** /v1/numbers (docs/product.md §2): the customer's DIDs in E.164. */
public final class NumberResource {
    private final NumberService numbers;
    private final Json json;

    public NumberResource(NumberService numbers, Json json) {
        this.numbers = numbers;
        this.json = json;
    }

    public void register(Router router) {
        router.add(new Route("GET", "/v1/numbers", CUSTOMER, this::list))
                .add(new Route("POST", "/v1/numbers", CUSTOMER, this::create))
                .add(new Route("GET", "/v1/numbers/{id}", CUSTOMER, this::get))
                .add(new Route("PATCH", "/v1/numbers/{id}", CUSTOMER, this::patch))
                .add(new Route("DELETE", "/v1/numbers/{id}", CUSTOMER, this::delete))
                .add(new Route("GET", "/v1/customers/{customer_id}/numbers", OPERATOR, this::operatorList))
                .add(new Route("PATCH", "/v1/customers/{customer_id}/numbers/{id}", OPERATOR, this::operatorPatch));
    }

    private ApiResponse list(ApiRequest r) {
        var page = Paging.request(r);
        return ApiResponse.ok(Paging.page(json, numbers.page(r.customerId(), page), page, this::view,
                PhoneNumber::id));
    }

    /** The operator's view of one customer's numbers. */
    private ApiResponse operatorList(ApiRequest r) {
        var page = Paging.request(r);
        return ApiResponse.ok(Paging.page(json, numbers.page(r.pathParam("customer_id"), page), page, this::view,
                PhoneNumber::id));
    }

    /** The operator sets {@code verified} (the only field it changes here). */
    private ApiResponse operatorPatch(ApiRequest r) {
        ObjectNode body = json.readObject(r.body());
        body.fieldNames().forEachRemaining(f -> {
            if (!f.equals("verified")) {
                throw ValidationException.of(f, "unknown field (the operator sets only verified)");
            }
        });
        if (!body.has("verified") || !body.get("verified").isBoolean()) {
            throw ValidationException.of("verified", "must be true or false");
        }
        return numbers.setVerified(r.pathParam("customer_id"), r.pathParam("id"), body.get("verified").asBoolean())
                .map(n -> ApiResponse.ok(wrap(n)))
                .orElseThrow(() -> ApiException.notFound("number " + r.pathParam("id")));
    }

    private ApiResponse create(ApiRequest r) {
        return ApiResponse.created(wrap(numbers.create(r.customerId(), json.readObject(r.body()))));
    }

    private ApiResponse get(ApiRequest r) {
        return numbers.find(r.customerId(), r.pathParam("id")).map(n -> ApiResponse.ok(wrap(n)))
                .orElseThrow(() -> ApiException.notFound("number " + r.pathParam("id")));
    }

    private ApiResponse patch(ApiRequest r) {
        return numbers.update(r.customerId(), r.pathParam("id"), json.readObject(r.body()))
                .map(n -> ApiResponse.ok(wrap(n)))
                .orElseThrow(() -> ApiException.notFound("number " + r.pathParam("id")));
    }

    private ApiResponse delete(ApiRequest r) {
        if (!numbers.delete(r.customerId(), r.pathParam("id"))) {
            throw ApiException.notFound("number " + r.pathParam("id"));
        }
        return ApiResponse.noContent();
    }

    private ObjectNode wrap(PhoneNumber n) {
        ObjectNode root = json.object();
        root.set("data", view(n));
        return root;
    }

    private ObjectNode view(PhoneNumber p) {
        ObjectNode n = json.object();
        n.put("id", p.id());
        n.put("customer_id", p.customerId());
        n.put("number", p.number());
        n.put("application_id", p.applicationId());
        n.put("trunk_id", p.trunkId());
        n.put("verified", p.verified());
        n.put("created_at", Json.time(p.createdAt()));
        n.put("updated_at", Json.time(p.updatedAt()));
        return n;
    }
}
