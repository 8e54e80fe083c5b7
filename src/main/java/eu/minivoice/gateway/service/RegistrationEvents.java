package eu.minivoice.gateway.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import eu.minivoice.gateway.domain.IdGenerator;
import eu.minivoice.gateway.domain.ProbeResult;
import eu.minivoice.gateway.domain.TrunkHealth;
import eu.minivoice.gateway.domain.RegistrationSnapshot;
import eu.minivoice.gateway.domain.RegistrationStatus;
import eu.minivoice.gateway.domain.StoredEvent;
import eu.minivoice.gateway.events.EventEnvelope;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds the trunk events ({@code trunk.registration_changed}, {@code trunk.health_changed}) in the one envelope ({@link EventEnvelope}). */
public final class RegistrationEvents {
    public static final String TYPE = "trunk.registration_changed";
    public static final String HEALTH_TYPE = "trunk.health_changed";

    private final EventEnvelope envelope;

    public RegistrationEvents(IdGenerator ids) {
        this.envelope = new EventEnvelope(ids, new ObjectMapper());
    }

    public StoredEvent changed(String trunkId, String customerId, RegistrationStatus from, RegistrationStatus to,
                               String reason, RegistrationSnapshot now, Instant at) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("previous_status", from.name());
        data.put("registration_status", to.name());
        data.put("reason", reason);
        data.put("last_code", now.lastCode());
        data.put("expires_at", now.expiresAt() == null ? null : eu.minivoice.gateway.domain.UtcMillis.format(now.expiresAt()));
        data.put("next_attempt_at", now.nextAttemptAt() == null ? null
                : eu.minivoice.gateway.domain.UtcMillis.format(now.nextAttemptAt()));
        return envelope.write(TYPE, subject(trunkId, customerId), Map.of(), data, at);
    }

    public StoredEvent healthChanged(String trunkId, String customerId, TrunkHealth from, TrunkHealth to,
                                     ProbeResult last, Instant at) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("previous_health", from.name());
        data.put("health", to.name());
        data.put("last_code", last.code());
        data.put("rtt_ms", last.reachable() ? last.rttMillis() : null);
        data.put("error", last.error());
        return envelope.write(HEALTH_TYPE, subject(trunkId, customerId), Map.of(), data, at);
    }

    private static EventEnvelope.Subject subject(String trunkId, String customerId) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("id", trunkId);
        fields.put("customer_id", customerId);
        return new EventEnvelope.Subject("trunk", trunkId, customerId, null, fields);
    }
}
