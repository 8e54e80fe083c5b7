package eu.minivoice.gateway.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.minivoice.gateway.domain.IdGenerator;
import eu.minivoice.gateway.domain.ProbeResult;
import eu.minivoice.gateway.domain.TrunkHealth;
import eu.minivoice.gateway.domain.RegistrationSnapshot;
import eu.minivoice.gateway.domain.RegistrationStatus;
import eu.minivoice.gateway.domain.StoredEvent;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Builds {@code trunk.registration_changed} events in the DESIGN §6 envelope. */
public final class RegistrationEvents {
    public static final String TYPE = "trunk.registration_changed";
    public static final String HEALTH_TYPE = "trunk.health_changed";

    private final IdGenerator ids;
    private final ObjectMapper json = new ObjectMapper();

    public RegistrationEvents(IdGenerator ids) {
        this.ids = ids;
    }

    public StoredEvent changed(String trunkId, String customerId, RegistrationStatus from, RegistrationStatus to,
                               String reason, RegistrationSnapshot now, Instant at) {
        String id = ids.newId("evt");
        Instant t = at.truncatedTo(ChronoUnit.MILLIS);
        ObjectNode root = json.createObjectNode();
        root.put("id", id);
        root.put("event", TYPE);
        root.put("created_at", t.toString());
        root.putObject("trunk").put("id", trunkId).put("customer_id", customerId);
        root.putObject("variables");
        ObjectNode data = root.putObject("data");
        data.put("previous_status", from.name());
        data.put("registration_status", to.name());
        data.put("reason", reason);
        data.put("last_code", now.lastCode());
        data.put("expires_at", now.expiresAt() == null ? null : now.expiresAt().toString());
        data.put("next_attempt_at", now.nextAttemptAt() == null ? null : now.nextAttemptAt().toString());
        return stored(id, customerId, TYPE, trunkId, t, root);
    }

    public StoredEvent healthChanged(String trunkId, String customerId, TrunkHealth from, TrunkHealth to,
                                     ProbeResult last, Instant at) {
        String id = ids.newId("evt");
        Instant t = at.truncatedTo(ChronoUnit.MILLIS);
        ObjectNode root = json.createObjectNode();
        root.put("id", id);
        root.put("event", HEALTH_TYPE);
        root.put("created_at", t.toString());
        root.putObject("trunk").put("id", trunkId).put("customer_id", customerId);
        root.putObject("variables");
        ObjectNode data = root.putObject("data");
        data.put("previous_health", from.name());
        data.put("health", to.name());
        data.put("last_code", last.code());
        data.put("rtt_ms", last.reachable() ? last.rttMillis() : null);
        data.put("error", last.error());
        return stored(id, customerId, HEALTH_TYPE, trunkId, t, root);
    }

    private StoredEvent stored(String id, String customerId, String type, String trunkId, Instant t, ObjectNode root) {
        try {
            return new StoredEvent(id, customerId, type, trunkId, t, json.writeValueAsString(root));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings always serialises", e);
        }
    }
}
