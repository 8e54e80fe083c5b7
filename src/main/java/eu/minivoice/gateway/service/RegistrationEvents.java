package eu.minivoice.gateway.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.minivoice.gateway.domain.IdGenerator;
import eu.minivoice.gateway.domain.RegistrationSnapshot;
import eu.minivoice.gateway.domain.RegistrationStatus;
import eu.minivoice.gateway.domain.StoredEvent;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Builds {@code trunk.registration_changed} events in the DESIGN §6 envelope. */
public final class RegistrationEvents {
    public static final String TYPE = "trunk.registration_changed";

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
        try {
            return new StoredEvent(id, customerId, TYPE, trunkId, t, json.writeValueAsString(root));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings always serialises", e);
        }
    }
}
