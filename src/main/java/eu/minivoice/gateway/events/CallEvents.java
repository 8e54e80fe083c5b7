package eu.minivoice.gateway.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.minivoice.gateway.domain.CallInfo;
import eu.minivoice.gateway.domain.IdGenerator;
import eu.minivoice.gateway.domain.StoredEvent;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds call events in the docs/product.md §6 envelope, exactly:
 * {@code {"id","event","created_at","call":{id,customer_id,application_id,trunk_id,status,direction,from,to},"variables","data"}}
 * with {@code created_at} in UTC ISO-8601 (milliseconds).
 */
public final class CallEvents {
    private final EventEnvelope envelope;
    private final ObjectMapper json;

    public CallEvents(IdGenerator ids, ObjectMapper json) {
        this.envelope = new EventEnvelope(ids, json);
        this.json = json;
    }

    /** The envelope as a tree, for callers that add to {@code data} before storing. */
    public ObjectNode envelope(String type, CallInfo call, Map<String, String> variables, Map<String, ?> data,
                               Instant at) {
        // One writer of the envelope's shape (EventEnvelope); the tree is for the action fetch,
        // which adds data.action before storing (once per inbound call, not per event).
        try {
            return (ObjectNode) json.readTree(event(type, call, variables, data, at).payload());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("our own JSON always parses", e);
        }
    }

    /** The stored event ({@link EventEnvelope} writes the shape, shared with trunk events). */
    public StoredEvent event(String type, CallInfo call, Map<String, String> variables, Map<String, ?> data,
                             Instant at) {
        Map<String, String> fields = new LinkedHashMap<>(12);
        fields.put("id", call.id());
        fields.put("customer_id", call.customerId());
        fields.put("application_id", call.applicationId());
        fields.put("trunk_id", call.trunkId());
        fields.put("status", call.status());
        fields.put("direction", call.direction());
        fields.put("from", call.from());
        fields.put("to", call.to());
        return envelope.write(type, new EventEnvelope.Subject("call", call.id(), call.customerId(), call.applicationId(),
                fields), variables, data, at);
    }

    /** The envelope as stored and sent. */
    public StoredEvent stored(CallInfo call, ObjectNode root) {
        return new StoredEvent(root.get("id").asText(), call.customerId(), root.get("event").asText(), call.id(),
                call.applicationId(), Instant.parse(root.get("created_at").asText()), text(root));
    }

    String text(ObjectNode root) {
        try {
            return json.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of plain values always serialises", e);
        }
    }
}
