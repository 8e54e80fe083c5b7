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
        ObjectNode root = envelope(TYPE, trunkId, customerId, at);
        ObjectNode data = (ObjectNode) root.get("data");
        data.put("previous_status", from.name());
        data.put("registration_status", to.name());
        data.put("reason", reason);
        data.put("last_code", now.lastCode());
        data.put("expires_at", now.expiresAt() == null ? null : now.expiresAt().toString());
        data.put("next_attempt_at", now.nextAttemptAt() == null ? null : now.nextAttemptAt().toString());
        return stored(customerId, TYPE, trunkId, root);
    }

    public StoredEvent healthChanged(String trunkId, String customerId, TrunkHealth from, TrunkHealth to,
                                     ProbeResult last, Instant at) {
        ObjectNode root = envelope(HEALTH_TYPE, trunkId, customerId, at);
        ObjectNode data = (ObjectNode) root.get("data");
        data.put("previous_health", from.name());
        data.put("health", to.name());
        data.put("last_code", last.code());
        data.put("rtt_ms", last.reachable() ? last.rttMillis() : null);
        data.put("error", last.error());
        return stored(customerId, HEALTH_TYPE, trunkId, root);
    }

    /** The DESIGN §6 envelope of a trunk event, with an empty {@code data} to fill in. */
    private ObjectNode envelope(String type, String trunkId, String customerId, Instant at) {
        ObjectNode root = json.createObjectNode();
        root.put("id", ids.newOrderedId("evt"));
        root.put("event", type);
        root.put("created_at", at.truncatedTo(ChronoUnit.MILLIS).toString());
        root.putObject("trunk").put("id", trunkId).put("customer_id", customerId);
        root.putObject("variables");
        root.putObject("data");
        return root;
    }

    private StoredEvent stored(String customerId, String type, String trunkId, ObjectNode root) {
        try {
            return new StoredEvent(root.get("id").asText(), customerId, type, trunkId, null,
                    Instant.parse(root.get("created_at").asText()), json.writeValueAsString(root));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings always serialises", e);
        }
    }
}
