package eu.minivoice.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.minivoice.gateway.domain.RegistrationSnapshot;
import eu.minivoice.gateway.domain.RegistrationView;
import eu.minivoice.gateway.domain.ErrorCode;
import eu.minivoice.gateway.domain.InboundConflicts;
import eu.minivoice.gateway.domain.Trunk;
import eu.minivoice.gateway.domain.TrunkHealth;
import eu.minivoice.gateway.domain.TrunkSpec;
import eu.minivoice.gateway.service.TrunkField;
import eu.minivoice.gateway.service.TrunkReadiness;
import eu.minivoice.gateway.service.TrunkService;
import eu.minivoice.gateway.service.ValidationException;
import eu.minivoice.gateway.service.ValidationException.FieldError;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static eu.minivoice.gateway.api.Route.Access.CUSTOMER;

/** /v1/trunks (docs/product.md §2). {@code password} is accepted but never shown. */
public final class TrunkResource {
    private final TrunkService trunks;
    private final RegistrationView registrations;
    private final TrunkReadiness readiness;
    private final InboundConflicts conflicts;
    private final Json json;

    public TrunkResource(TrunkService trunks, RegistrationView registrations, TrunkReadiness readiness,
                         InboundConflicts conflicts, Json json) {
        this.trunks = trunks;
        this.conflicts = conflicts;
        this.registrations = registrations;
        this.readiness = readiness;
        this.json = json;
    }

    public void register(Router router) {
        router.add(new Route("GET", "/v1/trunks", CUSTOMER, this::list))
                .add(new Route("POST", "/v1/trunks", CUSTOMER, this::create))
                .add(new Route("GET", "/v1/trunks/{id}", CUSTOMER, this::get))
                .add(new Route("PATCH", "/v1/trunks/{id}", CUSTOMER, this::patch))
                .add(new Route("DELETE", "/v1/trunks/{id}", CUSTOMER, this::delete))
                .add(new Route("GET", "/v1/trunks/{id}/registration", CUSTOMER, this::registrationTimeline))
                .add(new Route("POST", "/v1/trunks/{id}/test", CUSTOMER, this::test));
    }

    /** Readiness: an OPTIONS now, the registration, the health and configuration warnings. */
    private ApiResponse test(ApiRequest r) {
        Trunk t = trunks.find(r.customerId(), r.pathParam("id"))
                .orElseThrow(() -> ApiException.notFound("trunk " + r.pathParam("id")));
        if (!readiness.tryBegin(r.customerId())) {
            throw new ApiException(429, ErrorCode.RATE_LIMITED, "a readiness test of yours (or too many in all) is"
                    + " running; retry when it ends", null, Map.of("Retry-After", "2"));
        }
        TrunkReadiness.Report report;
        try {
            report = readiness.test(t);
        } finally {
            readiness.end(r.customerId());
        }
        ObjectNode root = json.object();
        ObjectNode data = root.putObject("data");
        data.put("trunk_id", t.id());
        data.put("ready", report.ready());
        ObjectNode options = data.putObject("options");
        options.put("reachable", report.probe().reachable());
        options.put("sip_status", report.probe().code());
        options.put("reason", report.probe().reason());
        options.put("rtt_ms", report.probe().reachable() ? report.probe().rttMillis() : null);
        options.put("error", report.probe().error());
        options.put("server", report.probe().server()); // where the proxy's name led (RFC 3263)
        data.put("registration_status", report.registrationStatus().name());
        data.put("registration_reason", report.registrationReason());
        data.put("health", report.health().name());
        ArrayNode warnings = data.putArray("warnings");
        report.warnings().forEach(warnings::add);
        return ApiResponse.ok(root);
    }

    /** The registration now and the last REGISTER transactions (docs/product.md §3 timeline). */
    private ApiResponse registrationTimeline(ApiRequest r) {
        Trunk t = trunks.find(r.customerId(), r.pathParam("id"))
                .orElseThrow(() -> ApiException.notFound("trunk " + r.pathParam("id")));
        ObjectNode root = json.object();
        ObjectNode data = root.putObject("data");
        data.put("trunk_id", t.id());
        RegistrationSnapshot s = snapshotOf(t);
        data.put("registration_status", s.status().name());
        data.set("registration", registrationJson(s));
        ArrayNode list = data.putArray("transactions");
        for (RegistrationView.RegisterTransaction tx : registrations.timeline(t.id())) {
            ObjectNode n = list.addObject();
            n.put("at", Json.time(tx.at()));
            n.put("code", tx.code());
            n.put("reason", tx.reason());
            n.put("granted_expires", tx.grantedExpires());
            n.put("target", tx.target());
        }
        return ApiResponse.ok(root);
    }

    /**
     * The engine's view while the trunk registers; otherwise its initial status, also in the
     * moment between a change (deactivation, username removed) and the engine catching up.
     */
    private RegistrationSnapshot snapshotOf(Trunk t) {
        RegistrationSnapshot initial = new RegistrationSnapshot(t.initialRegistrationStatus(), null, null, null, null, null);
        if (!t.spec().active() || !t.spec().registers()) {
            return initial;
        }
        return registrations.snapshot(t.id()).orElse(initial);
    }

    private ObjectNode registrationJson(RegistrationSnapshot s) {
        ObjectNode reg = json.object();
        reg.put("last_code", s.lastCode());
        reg.put("last_reason", s.lastReason());
        reg.put("expires_at", Json.time(s.expiresAt()));
        reg.put("last_registered_at", Json.time(s.lastRegisteredAt()));
        reg.put("next_attempt_at", Json.time(s.nextAttemptAt()));
        return reg;
    }

    private ApiResponse list(ApiRequest r) {
        var page = Paging.request(r);
        return ApiResponse.ok(Paging.page(json, trunks.page(r.customerId(), page), page, this::view, Trunk::id));
    }

    private ApiResponse create(ApiRequest r) {
        Map<TrunkField, Object> fields = readFields(json.readObject(r.body()));
        return ApiResponse.created(wrap(trunks.create(r.customerId(), fields)));
    }

    private ApiResponse get(ApiRequest r) {
        return trunks.find(r.customerId(), r.pathParam("id")).map(t -> ApiResponse.ok(wrap(t)))
                .orElseThrow(() -> ApiException.notFound("trunk " + r.pathParam("id")));
    }

    private ApiResponse patch(ApiRequest r) {
        Map<TrunkField, Object> fields = readFields(json.readObject(r.body()));
        return trunks.update(r.customerId(), r.pathParam("id"), fields).map(t -> ApiResponse.ok(wrap(t)))
                .orElseThrow(() -> ApiException.notFound("trunk " + r.pathParam("id")));
    }

    private ApiResponse delete(ApiRequest r) {
        if (!trunks.delete(r.customerId(), r.pathParam("id"))) {
            throw ApiException.notFound("trunk " + r.pathParam("id"));
        }
        return ApiResponse.noContent();
    }

    /** Types every field by {@link TrunkField.Kind}; unknown, read-only and mistyped fields are errors. */
    static Map<TrunkField, Object> readFields(ObjectNode body) {
        Map<TrunkField, Object> out = new EnumMap<>(TrunkField.class);
        List<FieldError> errors = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> it = body.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode value = e.getValue();
            TrunkField field = TrunkField.fromJson(name);
            if (field == null) {
                errors.add(new FieldError(name, TrunkField.READ_ONLY.contains(name) ? "is read-only" : "unknown field"));
                continue;
            }
            if (value.isNull()) {
                out.put(field, null);
                continue;
            }
            switch (field.kind()) {
                case STRING -> {
                    if (value.isTextual()) {
                        out.put(field, value.textValue());
                    } else {
                        errors.add(new FieldError(name, "must be a string"));
                    }
                }
                case BOOLEAN -> {
                    if (value.isBoolean()) {
                        out.put(field, value.booleanValue());
                    } else {
                        errors.add(new FieldError(name, "must be true or false"));
                    }
                }
                case INTEGER -> {
                    if (value.isIntegralNumber() && value.canConvertToInt()) {
                        out.put(field, value.intValue());
                    } else {
                        errors.add(new FieldError(name, "must be a whole number"));
                    }
                }
                case INTEGER_LIST -> {
                    List<Integer> list = new ArrayList<>();
                    boolean ok = value.isArray();
                    for (JsonNode item : value) {
                        ok &= item.isIntegralNumber() && item.canConvertToInt();
                        list.add(item.intValue());
                    }
                    if (ok) {
                        out.put(field, list);
                    } else {
                        errors.add(new FieldError(name, "must be an array of whole numbers"));
                    }
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        return out;
    }

    private ObjectNode wrap(Trunk t) {
        ObjectNode root = json.object();
        root.set("data", view(t));
        return root;
    }

    /** The public shape of a trunk. The password is reduced to whether one is set. */
    private ObjectNode view(Trunk t) {
        TrunkSpec s = t.spec();
        ObjectNode n = json.object();
        n.put("id", t.id());
        n.put("customer_id", t.customerId());
        n.put("name", s.name());
        n.put("gateway_name", s.gatewayName());
        n.put("direction", s.direction().token());
        n.put("proxy", s.proxy());
        n.put("username", s.username());
        n.put("password_set", s.password() != null);
        n.put("realm", s.realm());
        n.put("from_domain", s.fromDomain());
        n.put("inbound_ip", s.inboundIp());
        n.put("inbound_ip_conflict", conflicts.inboundConflict(t.id()));
        n.put("is_active", s.active());
        n.put("priority", s.priority());
        n.put("register", s.registers());
        n.put("register_expires", s.registerExpires());
        n.put("ping_interval", s.pingInterval());
        n.put("application_id", s.applicationId());
        n.put("max_concurrent_calls", s.maxConcurrentCalls());
        n.put("max_cps", s.maxCps());
        n.putPOJO("failover_codes", s.failoverCodeSet()); // the effective list (defaults when unset)
        n.put("tls_verify_hostname", s.tlsVerifyHostname());
        RegistrationSnapshot reg = snapshotOf(t);
        n.put("registration_status", reg.status().name());
        n.set("registration", registrationJson(reg));
        n.put("health", (t.spec().active() && t.spec().pingInterval() > 0
                ? registrations.health(t.id()).orElse(TrunkHealth.UNKNOWN) : TrunkHealth.UNKNOWN).name());
        // The gateway node that registers and pings it (docs/scale-out.md); null when none does.
        n.put("owner_node", t.spec().active() && (t.spec().registers() || t.spec().pingInterval() > 0)
                ? registrations.owner(t.id()).orElse(null) : null);
        n.put("created_at", Json.time(t.createdAt()));
        n.put("updated_at", Json.time(t.updatedAt()));
        return n;
    }
}
