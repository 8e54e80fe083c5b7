package eu.minivoice.gateway.api;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.minivoice.gateway.domain.ErrorCode;

import java.time.Instant;

/** The API's JSON: strict reading (duplicate keys, trailing garbage refused), UTC ISO-8601 times. */
public final class Json {
    private final ObjectMapper mapper = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    public ObjectMapper mapper() {
        return mapper;
    }

    public ObjectNode object() {
        return mapper.createObjectNode();
    }

    /** The request body as a JSON object; @throws ApiException 400 invalid_json otherwise. */
    public ObjectNode readObject(byte[] body) {
        if (body.length == 0) {
            throw new ApiException(400, ErrorCode.INVALID_JSON, "request body must be a JSON object");
        }
        JsonNode node;
        try {
            node = mapper.readTree(body);
        } catch (JacksonException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new ApiException(400, ErrorCode.INVALID_JSON, "malformed JSON" + where + ": " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new ApiException(400, ErrorCode.INVALID_JSON, "malformed JSON");
        }
        if (node == null || !node.isObject()) {
            throw new ApiException(400, ErrorCode.INVALID_JSON, "request body must be a JSON object");
        }
        return (ObjectNode) node;
    }

    /** UTC ISO-8601 with exactly three fraction digits (docs/api.md): one width, whatever the clock's precision. */
    public static String time(Instant t) {
        return t == null ? null : eu.minivoice.gateway.domain.UtcMillis.format(t);
    }
}
