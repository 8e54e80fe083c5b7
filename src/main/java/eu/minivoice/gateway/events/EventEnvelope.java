package eu.minivoice.gateway.events;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import eu.minivoice.gateway.domain.IdGenerator;
import eu.minivoice.gateway.domain.StoredEvent;
import eu.minivoice.gateway.domain.UtcMillis;

import java.io.IOException;
import java.io.StringWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/**
 * The one writer of the event envelope (docs/webhooks.md), for call and trunk events alike:
 * {@code {"id","event","created_at","<subject>":{…},"variables","data"}} with {@code created_at}
 * in UTC ISO-8601 (milliseconds). Written straight to JSON: call events are made on SIP threads,
 * so no tree and no date re-parsing.
 */
public final class EventEnvelope {
    private final IdGenerator ids;
    private final ObjectMapper json;

    public EventEnvelope(IdGenerator ids, ObjectMapper json) {
        this.ids = ids;
        this.json = json;
    }

    /** What the event is about: {@code "call"} or {@code "trunk"}, its fields in order, and who owns it. */
    public record Subject(String name, String id, String customerId, String applicationId, Map<String, String> fields) {
    }

    public StoredEvent write(String type, Subject subject, Map<String, String> variables, Map<String, ?> data,
                             Instant at) {
        String id = ids.newOrderedId("evt");
        Instant created = at.truncatedTo(ChronoUnit.MILLIS);
        StringWriter out = new StringWriter(512);
        try (JsonGenerator g = json.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("id", id);
            g.writeStringField("event", type);
            g.writeStringField("created_at", UtcMillis.format(created)); // never "…:20Z" for :20.000
            g.writeObjectFieldStart(subject.name());
            for (Map.Entry<String, String> f : subject.fields().entrySet()) {
                g.writeStringField(f.getKey(), f.getValue());
            }
            g.writeEndObject();
            g.writeFieldName("variables");
            g.writeObject(variables);
            g.writeFieldName("data");
            g.writeObject(data);
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("plain values always serialise", e);
        }
        return new StoredEvent(id, subject.customerId(), type, subject.id(), subject.applicationId(), created,
                out.toString());
    }
}
