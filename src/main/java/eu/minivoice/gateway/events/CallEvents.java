package eu.minivoice.gateway.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.minivoice.gateway.domain.CallInfo;
import eu.minivoice.gateway.domain.IdGenerator;
import eu.minivoice.gateway.domain.StoredEvent;

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
        ObjectNode root = json.createObjectNode();
        root.put("id", ids.newOrderedId("evt"));
        root.put("event", type);
        root.put("created_at", at.truncatedTo(ChronoUnit.MILLIS).toString());
        ObjectNode c = root.putObject("call");
        c.put("id", call.id());
        c.put("customer_id", call.customerId());
        c.put("application_id", call.applicationId());
        c.put("trunk_id", call.trunkId());
        c.put("status", call.status());
        c.put("direction", call.direction());
        c.put("from", call.from());
        c.put("to", call.to());
        root.set("variables", json.valueToTree(variables));
        root.set("data", json.valueToTree(data));
        return root;
    }

    public StoredEvent event(String type, CallInfo call, Map<String, String> variables, Map<String, ?> data,
                             Instant at) {
        return stored(call, envelope(type, call, variables, data, at));
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
