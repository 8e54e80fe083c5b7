package eu.minivoice.gateway.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.minivoice.gateway.domain.Application;
import eu.minivoice.gateway.service.ApplicationService;

import java.util.List;

import static eu.minivoice.gateway.api.Route.Access.CUSTOMER;

/**
 * /v1/applications (docs/product.md §2). {@code webhook_secret} is in the create answer only when the
 * gateway generated it; otherwise it is never shown ({@code has_webhook_secret} says it is set).
 */
public final class ApplicationResource {
    private final ApplicationService applications;
    private final Json json;

    public ApplicationResource(ApplicationService applications, Json json) {
        this.applications = applications;
        this.json = json;
    }

    public void register(Router router) {
        router.add(new Route("GET", "/v1/applications", CUSTOMER, this::list))
                .add(new Route("POST", "/v1/applications", CUSTOMER, this::create))
                .add(new Route("GET", "/v1/applications/{id}", CUSTOMER, this::get))
                .add(new Route("PATCH", "/v1/applications/{id}", CUSTOMER, this::patch))
                .add(new Route("DELETE", "/v1/applications/{id}", CUSTOMER, this::delete));
    }

    private ApiResponse list(ApiRequest r) {
        var page = Paging.request(r);
        return ApiResponse.ok(Paging.page(json, applications.page(r.customerId(), page), page, this::view,
                Application::id));
    }

    private ApiResponse create(ApiRequest r) {
        ObjectNode body = json.readObject(r.body());
        boolean secretGiven = body.hasNonNull("webhook_secret");
        ApplicationService.Created created = applications.create(r.customerId(), body);
        ObjectNode view = view(created.application());
        if (!secretGiven) {
            view.put("webhook_secret", created.webhookSecret());
        }
        ObjectNode root = json.object();
        root.set("data", view);
        return ApiResponse.created(root);
    }

    private ApiResponse get(ApiRequest r) {
        return applications.find(r.customerId(), r.pathParam("id")).map(a -> ApiResponse.ok(wrap(a)))
                .orElseThrow(() -> ApiException.notFound("application " + r.pathParam("id")));
    }

    private ApiResponse patch(ApiRequest r) {
        return applications.update(r.customerId(), r.pathParam("id"), json.readObject(r.body()))
                .map(a -> ApiResponse.ok(wrap(a)))
                .orElseThrow(() -> ApiException.notFound("application " + r.pathParam("id")));
    }

    private ApiResponse delete(ApiRequest r) {
        if (!applications.delete(r.customerId(), r.pathParam("id"))) {
            throw ApiException.notFound("application " + r.pathParam("id"));
        }
        return ApiResponse.noContent();
    }

    private ObjectNode wrap(Application a) {
        ObjectNode root = json.object();
        root.set("data", view(a));
        return root;
    }

    private ObjectNode view(Application a) {
        ObjectNode n = json.object();
        n.put("id", a.id());
        n.put("customer_id", a.customerId());
        n.put("name", a.name());
        n.put("webhook_url", a.webhookUrl());
        n.put("status_callback_url", a.statusCallbackUrl());
        try {
            n.set("fallback_action", a.fallbackAction() == null ? null : json.mapper().readTree(a.fallbackAction()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored fallback_action of " + a.id() + " is not JSON", e);
        }
        n.put("has_webhook_secret", a.webhookSecret() != null);
        n.put("created_at", Json.time(a.createdAt()));
        n.put("updated_at", Json.time(a.updatedAt()));
        return n;
    }
}
