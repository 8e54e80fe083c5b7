package eu.minivoice.gateway.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.minivoice.gateway.domain.Delivery;
import eu.minivoice.gateway.domain.DeliveryStatus;
import eu.minivoice.gateway.domain.ErrorCode;
import eu.minivoice.gateway.domain.StoredEvent;
import eu.minivoice.gateway.events.Outbox;
import eu.minivoice.gateway.service.EventHistory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static eu.minivoice.gateway.api.Route.Access.CUSTOMER;

/**
 * /v1/events (docs/product.md §2/§6): the customer's events, newest first, each in its envelope with its
 * webhook deliveries (target, status, attempts, last HTTP status or error, next attempt,
 * delivered_at), and {@code POST /v1/events/{id}/redeliver} to send one again.
 */
public final class EventResource {
    private final EventHistory store;
    private final Outbox outbox;
    private final Json json;

    public EventResource(EventHistory store, Outbox outbox, Json json) {
        this.store = store;
        this.outbox = outbox;
        this.json = json;
    }

    public void register(Router router) {
        router.add(new Route("GET", "/v1/events", CUSTOMER, this::list))
                .add(new Route("GET", "/v1/events/{id}", CUSTOMER, this::get))
                .add(new Route("POST", "/v1/events/{id}/redeliver", CUSTOMER, this::redeliver));
    }

    private ApiResponse list(ApiRequest r) {
        String type = first(r, "type");
        int limit = 100;
        String l = first(r, "limit");
        if (l != null) {
            if (!l.matches("\\d{1,4}") || Integer.parseInt(l) < 1 || Integer.parseInt(l) > 1000) {
                throw new ApiException(422, ErrorCode.VALIDATION_FAILED, "limit must be 1 to 1000", "limit");
            }
            limit = Integer.parseInt(l);
        }
        DeliveryStatus status = null;
        String s = first(r, "status");
        if (s != null) {
            try {
                status = DeliveryStatus.of(s);
            } catch (IllegalArgumentException e) {
                throw new ApiException(422, ErrorCode.VALIDATION_FAILED, "status must be pending, delivered or failed",
                        "status");
            }
        }
        List<StoredEvent> found = store.events(r.customerId(), type, status, first(r, "before"), limit);
        Map<String, List<Delivery>> deliveries = store.deliveries(found.stream().map(StoredEvent::id).toList());
        ObjectNode root = json.object();
        ArrayNode data = root.putArray("data");
        for (StoredEvent e : found) {
            data.add(view(e, deliveries.getOrDefault(e.id(), List.of())));
        }
        root.put("count", found.size());
        return ApiResponse.ok(root);
    }

    private ApiResponse get(ApiRequest r) {
        StoredEvent e = find(r);
        ObjectNode root = json.object();
        root.set("data", view(e, store.deliveries(List.of(e.id())).getOrDefault(e.id(), List.of())));
        return ApiResponse.ok(root);
    }

    /** New deliveries to the event's current targets; the earlier ones keep their history. */
    private ApiResponse redeliver(ApiRequest r) {
        StoredEvent e = find(r);
        CompletableFuture<Integer> stored = new CompletableFuture<>();
        if (!outbox.redeliver(e, stored::complete)) {
            throw new ApiException(503, ErrorCode.OVERLOADED, "the event outbox is full, try again");
        }
        int created;
        try {
            created = stored.get(10, TimeUnit.SECONDS);
        } catch (TimeoutException | ExecutionException ex) {
            throw new ApiException(503, ErrorCode.OVERLOADED, "the redelivery was not stored in time, try again");
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, ErrorCode.OVERLOADED, "interrupted");
        }
        if (created < 0) {
            throw new ApiException(500, ErrorCode.INTERNAL_ERROR, "the database refused the redelivery");
        }
        if (created == 0) {
            throw new ApiException(409, ErrorCode.CONFLICT, "event " + e.id()
                    + " has no webhook target now (no application callback or events_url)");
        }
        ObjectNode root = json.object();
        root.set("data", view(e, store.deliveries(List.of(e.id())).getOrDefault(e.id(), List.of())));
        return new ApiResponse(202, root, Map.of());
    }

    private StoredEvent find(ApiRequest r) {
        return store.event(r.customerId(), r.pathParam("id"))
                .orElseThrow(() -> ApiException.notFound("event " + r.pathParam("id")));
    }

    private ObjectNode view(StoredEvent e, List<Delivery> deliveries) {
        ObjectNode n;
        try {
            n = (ObjectNode) json.mapper().readTree(e.payload());
        } catch (JsonProcessingException | ClassCastException bad) {
            throw new IllegalStateException("stored event " + e.id() + " is not a JSON object", bad);
        }
        ArrayNode list = n.putArray("deliveries");
        for (Delivery d : deliveries) {
            ObjectNode o = list.addObject();
            o.put("id", d.id());
            o.put("kind", d.kind().token());
            o.put("target_id", d.targetId());
            o.put("url", d.url());
            o.put("status", d.status().token());
            o.put("attempts", d.attempts());
            o.put("last_status_code", d.lastStatusCode());
            o.put("last_error", d.lastError());
            o.put("next_attempt_at", Json.time(d.nextAttemptAt()));
            o.put("created_at", Json.time(d.createdAt()));
            o.put("delivered_at", Json.time(d.deliveredAt()));
        }
        return n;
    }

    private static String first(ApiRequest r, String name) {
        List<String> v = r.query().get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }
}
