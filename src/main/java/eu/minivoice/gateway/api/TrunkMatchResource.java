package eu.minivoice.gateway.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.minivoice.gateway.domain.ErrorCode;
import eu.minivoice.gateway.domain.IpRange;
import eu.minivoice.gateway.domain.Trunk;
import eu.minivoice.gateway.routing.InboundMatch;
import eu.minivoice.gateway.routing.InboundMatcher;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

import static eu.minivoice.gateway.api.Route.Access.CUSTOMER;

/**
 * GET /v1/trunks/match?ip=…&amp;to=… — the dry run of inbound matching (docs/product.md §5): which of the
 * caller's trunks a carrier INVITE from {@code ip} to {@code to} would reach, and why. Runs the
 * very matcher the SIP side uses. Another customer's trunk is never named: a call that would go
 * to another tenant reads "not_yours".
 */
public final class TrunkMatchResource {
    private final InboundMatcher matcher;
    private final Json json;

    public TrunkMatchResource(InboundMatcher matcher, Json json) {
        this.matcher = matcher;
        this.json = json;
    }

    /** Register before /v1/trunks/{id}: the router takes the first pattern that fits. */
    public void register(Router router) {
        router.add(new Route("GET", "/v1/trunks/match", CUSTOMER, this::match));
    }

    private ApiResponse match(ApiRequest r) {
        String ip = first(r, "ip");
        List<String> rawTo = r.query().get("to");
        // A literal '+' in a query string decodes to a space (form encoding): take it back.
        String to = rawTo == null || rawTo.isEmpty() ? null : rawTo.get(0).replaceFirst("^ (?=\\d)", "+").trim();
        if (ip == null) {
            throw new ApiException(422, ErrorCode.VALIDATION_FAILED, "ip is required (the carrier's source address)", "ip");
        }
        InetAddress source;
        try {
            source = InetAddress.getByAddress(IpRange.parseLiteral(ip)); // a literal only: no DNS
        } catch (IllegalArgumentException | UnknownHostException e) {
            throw new ApiException(422, ErrorCode.VALIDATION_FAILED, "ip must be an IPv4 or IPv6 address", "ip");
        }
        InboundMatch m = matcher.match(source, to, to);
        ObjectNode out = json.object();
        out.put("ip", source.getHostAddress());
        out.put("to", to);
        String me = r.customerId();
        if (m instanceof InboundMatch.Routed routed && routed.trunk().customerId().equals(me)) {
            out.put("result", "routed");
            out.put("trunk_id", routed.trunk().id());
            out.put("dialled", routed.dialled());
            out.put("number_id", routed.number() == null ? null : routed.number().id());
            out.put("application_id", routed.applicationId());
            out.put("route", routed.number() != null && routed.number().applicationId() != null ? "number" : "trunk");
            out.put("reason", routed.reason());
            return ApiResponse.ok(data(out));
        }
        if (m instanceof InboundMatch.Refused refused && refused.trunk() != null
                && refused.trunk().customerId().equals(me)) {
            out.put("result", "refused");
            out.put("sip_status", refused.sipStatus());
            out.put("error_code", refused.code());
            out.put("trunk_id", refused.trunk().id());
            out.put("reason", refused.reason());
            return ApiResponse.ok(data(out));
        }
        // Not this customer's call: the same answer whether another customer's trunk takes it or
        // nobody's does, so the dry run reveals nothing about other tenants. Only this customer's
        // own trunks that contain the address and lose it are named (they carry inbound_ip_conflict).
        out.put("result", "no_match");
        out.put("reason", "this call would not reach any of your trunks");
        ArrayNode conflicted = out.putArray("conflicted_trunk_ids");
        m.candidates().stream().filter(t -> t.customerId().equals(me)).forEach(t -> conflicted.add(t.id()));
        out.put("inbound_ip_conflict", !conflicted.isEmpty());
        return ApiResponse.ok(data(out));
    }


    private ObjectNode data(ObjectNode out) {
        ObjectNode root = json.object();
        root.set("data", out);
        return root;
    }

    private static String first(ApiRequest r, String name) {
        List<String> v = r.query().get(name);
        return v == null || v.isEmpty() || v.get(0).isBlank() ? null : v.get(0).trim();
    }
}
