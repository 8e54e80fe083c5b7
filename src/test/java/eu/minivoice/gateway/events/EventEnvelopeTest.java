package eu.minivoice.gateway.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The envelope's created_at always has three fraction digits (found by the OpenAPI contract check). */
class EventEnvelopeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String createdAt(Instant at) throws Exception {
        EventEnvelope envelope = new EventEnvelope(prefix -> prefix + "_1", JSON);
        var event = envelope.write("call.initiated", new EventEnvelope.Subject("call", "call_1", "cust_1", null,
                Map.of("id", "call_1")), Map.of(), Map.of(), at);
        return JSON.readTree(event.payload()).get("created_at").asText();
    }

    @Test
    void aWholeSecondStillHasItsMilliseconds() throws Exception {
        assertEquals("2026-12-02T08:52:20.000Z", createdAt(Instant.parse("2026-12-02T08:52:20Z")));
        assertEquals("2026-12-02T08:52:20.120Z", createdAt(Instant.parse("2026-12-02T08:52:20.120999Z")));
    }
}
