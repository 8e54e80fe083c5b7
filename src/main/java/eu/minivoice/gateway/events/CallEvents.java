package eu.minivoice.gateway.events;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.minivoice.gateway.domain.CallInfo;
import eu.minivoice.gateway.domain.IdGenerator;
import eu.minivoice.gateway.domain.StoredEvent;

import java.io.IOException;
import java.io.StringWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/**
 * Builds call events in the DESIGN §6 envelope, exactly:
 * {@code {"id","event","created_at","call":{id,customer_id,application_id,trunk_id,status,direction,from,to},"variables","data"}}
 * with {@code created_at} in UTC ISO-8601 (milliseconds).
 */
public final class CallEvents {
    private final IdGenerator ids;
    private final ObjectMapper json;

    public CallEvents(IdGenerator ids, ObjectMapper json) {
        this.ids = ids;
        this.json = json;
    }

    /** The envelope as a tree, for callers that add to {@code data} before storing. */
    public ObjectNode envelope(String type, CallInfo call, Map<String, String> variables, Map<String, ?> data,
                               Instant at) {
        // One writer of the envelope's shape ({@link #event}); the tree is for the action fetch,
        // which adds data.action before storing (once per inbound call, not per event).
        try {
            return (ObjectNode) json.readTree(event(type, call, variables, data, at).payload());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("our own JSON always parses", e);
        }
    }

    /**
     * The stored event, written straight to JSON (the one place that writes the envelope's shape):
     * called on SIP threads for every call event, so no tree and no date re-parsing.
     */
    public StoredEvent event(String type, CallInfo call, Map<String, String> variables, Map<String, ?> data,
                             Instant at) {
        String id = ids.newOrderedId("evt");
        Instant created = at.truncatedTo(ChronoUnit.MILLIS);
        StringWriter out = new StringWriter(512);
        try (JsonGenerator g = json.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("id", id);
            g.writeStringField("event", type);
            g.writeStringField("created_at", created.toString());
            g.writeObjectFieldStart("call");
            g.writeStringField("id", call.id());
            g.writeStringField("customer_id", call.customerId());
            g.writeStringField("application_id", call.applicationId());
            g.writeStringField("trunk_id", call.trunkId());
            g.writeStringField("status", call.status());
            g.writeStringField("direction", call.direction());
            g.writeStringField("from", call.from());
            g.writeStringField("to", call.to());
            g.writeEndObject();
            g.writeFieldName("variables");
            g.writeObject(variables);
            g.writeFieldName("data");
            g.writeObject(data);
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("plain values always serialise", e);
        }
        return new StoredEvent(id, call.customerId(), type, call.id(), call.applicationId(), created, out.toString());
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
