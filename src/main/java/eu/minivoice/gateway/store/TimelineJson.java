package eu.minivoice.gateway.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.minivoice.gateway.domain.RegistrationView.RegisterTransaction;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A REGISTER timeline as stored in {@code trunk_states.timeline}: a JSON array, one object per transaction. */
final class TimelineJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TimelineJson() {
    }

    static String write(List<RegisterTransaction> timeline) {
        ArrayNode list = JSON.createArrayNode();
        for (RegisterTransaction tx : timeline) {
            ObjectNode n = list.addObject();
            n.put("at", tx.at() == null ? null : tx.at().toString());
            n.put("code", tx.code());
            n.put("reason", tx.reason());
            n.put("granted_expires", tx.grantedExpires());
            n.put("target", tx.target());
        }
        return list.toString();
    }

    static List<RegisterTransaction> read(String json) {
        JsonNode list;
        try {
            list = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new StoreException("a stored REGISTER timeline is not JSON: " + e.getMessage(), e);
        }
        List<RegisterTransaction> out = new ArrayList<>();
        for (JsonNode n : list) {
            out.add(new RegisterTransaction(n.path("at").isTextual() ? Instant.parse(n.get("at").asText()) : null,
                    number(n.get("code")), text(n.get("reason")), number(n.get("granted_expires")),
                    text(n.get("target"))));
        }
        return List.copyOf(out);
    }

    private static Integer number(JsonNode n) {
        return n == null || n.isNull() ? null : n.asInt();
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? null : n.asText();
    }
}
