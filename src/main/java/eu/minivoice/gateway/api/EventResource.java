package eu.minivoice.gateway.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.minivoice.gateway.domain.ErrorCode;
import eu.minivoice.gateway.domain.StoredEvent;
import eu.minivoice.gateway.store.EventStore;

import java.util.List;

import static eu.minivoice.gateway.api.Route.Access.CUSTOMER;

/**
 * GET /v1/events: the customer's accepted events, newest first, in their envelope. The webhook
 * dispatcher (a later issue) adds delivery state and redelivery.
 */
public final class EventResource {
    private final EventStore events;
    private final Json json;

    public EventResource(EventStore events, Json json) {
        this.events = events;
        this.json = json;
    }

    public void register(Router router) {
        router.add(new Route("GET", "/v1/events", CUSTOMER, this::list));
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
        List<StoredEvent> found = events.list(r.customerId(), type, limit);
        ObjectNode root = json.object();
        ArrayNode data = root.putArray("data");
        for (StoredEvent e : found) {
            try {
                data.add(json.mapper().readTree(e.payload()));
            } catch (JsonProcessingException bad) {
                throw new IllegalStateException("stored event " + e.id() + " is not JSON", bad);
            }
        }
        root.put("count", found.size());
        return ApiResponse.ok(root);
    }

    private static String first(ApiRequest r, String name) {
        List<String> v = r.query().get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }
}
