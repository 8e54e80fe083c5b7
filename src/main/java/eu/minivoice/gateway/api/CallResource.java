package eu.minivoice.gateway.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.minivoice.gateway.domain.CallRecord;
import eu.minivoice.gateway.domain.ErrorCode;
import eu.minivoice.gateway.domain.CallQuery;
import eu.minivoice.gateway.domain.CallControl;
import eu.minivoice.gateway.service.CallHistory;
import eu.minivoice.gateway.service.CallOrigination;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static eu.minivoice.gateway.api.Route.Access.CUSTOMER;

/**
 * GET /v1/calls (filters, cursor pagination) and GET /v1/calls/{id} (docs/product.md §2): the call records
 * the relay writes — both legs' SIP Call-IDs, trunk, timestamps, SIP code, hangup side and cause,
 * duration, attempts. POST /v1/calls places a call and DELETE /v1/calls/{id} ends one (docs/calls.md).
 */
public final class CallResource {
    private static final Set<String> STATUSES = Set.of("initiated", "ringing", "answered", "completed", "busy",
            "no_answer", "canceled", "failed");

    private final CallHistory calls;
    private final CallOrigination origination;
    private final Json json;

    public CallResource(CallHistory calls, CallOrigination origination, Json json) {
        this.calls = calls;
        this.origination = origination;
        this.json = json;
    }

    public void register(Router router) {
        router.add(new Route("GET", "/v1/calls", CUSTOMER, this::list))
                .add(new Route("POST", "/v1/calls", CUSTOMER, this::place))
                .add(new Route("GET", "/v1/calls/{id}", CUSTOMER, this::get))
                .add(new Route("DELETE", "/v1/calls/{id}", CUSTOMER, this::hangUp));
    }

    /** 201 with the call (status initiated); a refusal answers with the SIP side's error code. */
    private ApiResponse place(ApiRequest r) {
        CallControl.Placement p = origination.place(r.customerId(), json.readObject(r.body()));
        if (p instanceof CallControl.Refused refused) {
            throw refusal(refused);
        }
        ObjectNode root = json.object();
        root.set("data", view(((CallControl.Placed) p).call()));
        return ApiResponse.created(root);
    }

    /** The admission refusals as HTTP (docs/calls.md has the table). */
    private static ApiException refusal(CallControl.Refused r) {
        Map<String, String> retry = r.retryAfterSeconds() == null ? Map.of()
                : Map.of("Retry-After", Integer.toString(r.retryAfterSeconds()));
        return switch (r.code()) {
            case CALLER_ID_NOT_VERIFIED -> new ApiException(403, r.code(), r.message(), "from");
            case INVALID_DESTINATION -> new ApiException(422, r.code(), r.message(), "to");
            case NO_ACTIVE_TRUNK -> new ApiException(409, r.code(), r.message(), null);
            case LIMIT_EXCEEDED -> new ApiException(429, r.code(), r.message(), null, retry);
            case DRAINING -> new ApiException(503, r.code(), r.message(), null, retry);
            case VALIDATION_FAILED -> new ApiException(422, r.code(), r.message(), "connect_to");
            default -> new ApiException(500, ErrorCode.INTERNAL_ERROR, r.message(), null);
        };
    }

    /**
     * 204 once the call's legs are being ended (here or by the node that carries it); 409 for a
     * call that is over; 404 for none of yours; 503 when the call's node did not confirm in time.
     */
    private ApiResponse hangUp(ApiRequest r) {
        String id = r.pathParam("id");
        return switch (origination.hangUp(r.customerId(), id)) {
            case ENDING -> ApiResponse.noContent();
            case NO_SUCH_CALL -> throw ApiException.notFound("call " + id);
            case NOT_IN_PROGRESS -> throw new ApiException(409, ErrorCode.CONFLICT, "call " + id
                    + " is not in progress (it has ended)", null);
            case NODE_GONE -> throw new ApiException(409, ErrorCode.CONFLICT, "call " + id + " ran on a gateway node"
                    + " that has stopped, so it is over; its record ends with node_lost once another node notices",
                    null);
            case NODE_NOT_ANSWERING -> throw new ApiException(503, ErrorCode.NODE_UNREACHABLE, "the gateway node that"
                    + " carries call " + id + " did not confirm the hang-up in time; asking again is safe", null,
                    Map.of("Retry-After", "1"));
        };
    }

    private ApiResponse list(ApiRequest r) {
        String status = first(r, "status");
        if (status != null && !STATUSES.contains(status)) {
            throw new ApiException(422, ErrorCode.VALIDATION_FAILED, "status must be one of " + String.join(", ",
                    STATUSES.stream().sorted().toList()), "status");
        }
        String direction = first(r, "direction");
        if (direction != null && !direction.equals("inbound") && !direction.equals("outbound")) {
            throw new ApiException(422, ErrorCode.VALIDATION_FAILED, "direction must be inbound or outbound", "direction");
        }
        int limit = 50;
        String l = first(r, "limit");
        if (l != null) {
            if (!l.matches("\\d{1,4}") || Integer.parseInt(l) < 1 || Integer.parseInt(l) > 1000) {
                throw new ApiException(422, ErrorCode.VALIDATION_FAILED, "limit must be 1 to 1000", "limit");
            }
            limit = Integer.parseInt(l);
        }
        List<CallRecord> found = calls.list(r.customerId(), new CallQuery(status, direction, first(r, "trunk_id"),
                first(r, "from"), first(r, "to"), time(r, "created_from"), time(r, "created_to"), first(r, "cursor"),
                limit));
        ObjectNode root = json.object();
        ArrayNode data = root.putArray("data");
        found.forEach(c -> data.add(view(c)));
        root.put("count", found.size());
        root.put("next_cursor", found.size() == limit ? found.get(found.size() - 1).id() : null);
        return ApiResponse.ok(root);
    }

    private ApiResponse get(ApiRequest r) {
        CallRecord c = calls.find(r.customerId(), r.pathParam("id"))
                .orElseThrow(() -> ApiException.notFound("call " + r.pathParam("id")));
        ObjectNode root = json.object();
        root.set("data", view(c));
        return ApiResponse.ok(root);
    }

    private ObjectNode view(CallRecord c) {
        ObjectNode n = json.object();
        n.put("id", c.id());
        n.put("customer_id", c.customerId());
        n.put("direction", c.direction());
        n.put("status", c.status());
        n.put("from", c.from());
        n.put("to", c.to());
        n.put("trunk_id", c.trunkId());
        n.put("application_id", c.applicationId());
        ObjectNode sip = n.putObject("sip_call_ids");
        sip.put("platform", c.platformCallId());
        sip.put("carrier", c.carrierCallId());
        n.put("sip_code", c.sipCode());
        n.put("hangup_side", c.hangupSide());
        n.put("reason", c.reason());
        n.put("error_code", c.errorCode());
        n.put("created_at", Json.time(c.createdAt()));
        n.put("answered_at", Json.time(c.answeredAt()));
        n.put("ended_at", Json.time(c.endedAt()));
        n.put("duration", c.durationSeconds());
        n.set("attempts", json.mapper().valueToTree(c.attempts()));
        n.put("node", c.node());
        return n;
    }

    private static Instant time(ApiRequest r, String name) {
        String v = first(r, name);
        if (v == null) {
            return null;
        }
        try {
            return Instant.parse(v);
        } catch (DateTimeParseException e) {
            throw new ApiException(422, ErrorCode.VALIDATION_FAILED, name + " must be an ISO-8601 UTC time such as"
                    + " 2026-05-29T12:00:00Z", name);
        }
    }

    private static String first(ApiRequest r, String name) {
        List<String> v = r.query().get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }
}
