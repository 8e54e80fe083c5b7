package eu.minivoice.gateway.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpHeaders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * docs/openapi.yaml as a contract: {@link #check} fails (AssertionError) when an answer of the
 * gateway's API does not fit the description — an undocumented status, a missing required header,
 * another content type, or a body its schema refuses. {@link Http} runs it on every answer, so every
 * API test also tests the description, and neither can drift from the other.
 */
public final class ApiContract {
    public static final Path DOCUMENT = Path.of("docs/openapi.yaml");
    private static final String BASE = "https://minivoice.invalid/openapi.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JsonNode doc;
    private final SchemaRegistry registry;
    private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

    private ApiContract(JsonNode doc) {
        this.doc = doc;
        String text;
        try {
            text = JSON.writeValueAsString(doc);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // The whole document is one schema resource, so $refs to #/components/... resolve in it.
        this.registry = SchemaRegistry.withDefaultDialect(Dialects.getOpenApi31(),
                b -> b.schemas(Map.of(BASE, text)));
    }

    public static ApiContract of(JsonNode doc) {
        return new ApiContract(doc);
    }

    /** The repository's description, read once per test JVM. */
    public static ApiContract shared() {
        return Holder.INSTANCE;
    }

    private static final class Holder {
        static final ApiContract INSTANCE = new ApiContract(read(DOCUMENT));
    }

    public static JsonNode read(Path file) {
        try {
            return new YAMLMapper().readTree(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public JsonNode document() {
        return doc;
    }

    /** @param target the request's path with its query, as sent */
    public void check(String method, String target, int status, HttpHeaders headers, String body) {
        String path = target.replaceFirst("[?#].*$", "");
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        String where = method + " " + target + " -> " + status;
        String template = template(path);
        JsonNode operation = template == null ? null : doc.path("paths").path(template).get(method.toLowerCase(Locale.ROOT));
        if (operation == null) {
            // No operation: the API answers with an error body of its own (404 unknown path, 405
            // with Allow, or the checks before routing: 400 malformed HTTP, 413, 503 overloaded).
            List<Integer> allowed = template == null ? List.of(400, 404, 413, 503) : List.of(400, 405, 413, 503);
            if (!allowed.contains(status)) {
                throw new AssertionError(where + ": " + (template == null ? "no documented path" : "method not documented")
                        + " answers only " + allowed);
            }
            if (status == 405 && headers.firstValue("Allow").isEmpty()) {
                throw new AssertionError(where + ": 405 without Allow");
            }
            validate(where, "/components/schemas/Error", body);
            return;
        }
        String pointer = "/paths/" + escape(template) + "/" + method.toLowerCase(Locale.ROOT) + "/responses/";
        JsonNode responses = operation.path("responses");
        String key = Integer.toString(status);
        if (!responses.has(key)) {
            key = status / 100 + "XX";
        }
        if (!responses.has(key)) {
            key = "default";
        }
        if (!responses.has(key)) {
            throw new AssertionError(where + ": status " + status + " is not documented for " + method + " " + template);
        }
        pointer += escape(key);
        JsonNode response = responses.get(key);
        while (response.has("$ref")) {
            pointer = response.get("$ref").asText().substring(1);
            response = at(pointer);
        }
        Iterator<Map.Entry<String, JsonNode>> hs = response.path("headers").fields();
        while (hs.hasNext()) {
            Map.Entry<String, JsonNode> h = hs.next();
            JsonNode header = h.getValue().has("$ref") ? at(h.getValue().get("$ref").asText().substring(1)) : h.getValue();
            if (header.path("required").asBoolean(false) && headers.firstValue(h.getKey()).isEmpty()) {
                throw new AssertionError(where + ": required header " + h.getKey() + " missing");
            }
        }
        JsonNode content = response.get("content");
        if (body == null || body.isEmpty()) {
            if (content != null && !content.isEmpty()) {
                throw new AssertionError(where + ": empty body, the description says " + content.fieldNames().next());
            }
            return;
        }
        if (content == null || content.isEmpty()) {
            throw new AssertionError(where + ": a body where the description has none");
        }
        String type = headers.firstValue("Content-Type").orElse("").replaceFirst(";.*$", "").strip()
                .toLowerCase(Locale.ROOT);
        if (!content.has(type)) {
            throw new AssertionError(where + ": Content-Type " + type + " not documented (" + content + ")");
        }
        if (type.equals("application/json")) {
            validate(where, pointer + "/content/application~1json/schema", body);
        }
    }

    private void validate(String where, String pointer, String body) {
        JsonNode instance;
        try {
            instance = JSON.readTree(body);
        } catch (IOException e) {
            throw new AssertionError(where + ": body is not JSON: " + body);
        }
        Schema schema = schemas.computeIfAbsent(pointer, p -> registry.getSchema(SchemaLocation.of(BASE + "#" + p)));
        List<Error> errors = schema.validate(instance);
        if (!errors.isEmpty()) {
            List<String> lines = new ArrayList<>();
            errors.forEach(e -> lines.add(e.toString()));
            throw new AssertionError(where + ": body does not fit docs/openapi.yaml (" + pointer + "): " + lines
                    + "\n" + abbreviate(body));
        }
    }

    /** The documented path template for a concrete path; literal segments beat parameters (/v1/trunks/match). */
    public String template(String path) {
        String best = null;
        int bestLiterals = -1;
        Iterator<String> it = doc.path("paths").fieldNames();
        while (it.hasNext()) {
            String t = it.next();
            int literals = literalsMatching(t, path);
            if (literals > bestLiterals) {
                best = t;
                bestLiterals = literals;
            }
        }
        return best;
    }

    /** @return how many literal segments match, or -1 when the path does not fit the template */
    private static int literalsMatching(String template, String path) {
        String[] t = template.split("/", -1);
        String[] p = path.split("/", -1);
        if (t.length != p.length) {
            return -1;
        }
        int literals = 0;
        for (int i = 0; i < t.length; i++) {
            if (t[i].startsWith("{") && t[i].endsWith("}")) {
                if (p[i].isEmpty()) {
                    return -1;
                }
            } else if (t[i].equals(p[i])) {
                literals++;
            } else {
                return -1;
            }
        }
        return literals;
    }

    private JsonNode at(String pointer) {
        JsonNode n = doc.at(pointer);
        if (n.isMissingNode()) {
            throw new AssertionError("docs/openapi.yaml: no " + pointer);
        }
        return n;
    }

    private static String escape(String segment) {
        return segment.replace("~", "~0").replace("/", "~1");
    }

    private static String abbreviate(String body) {
        return body.length() > 2000 ? body.substring(0, 2000) + "…" : body;
    }
}
