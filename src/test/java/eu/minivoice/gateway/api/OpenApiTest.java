package eu.minivoice.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.minivoice.gateway.support.ApiContract;
import eu.minivoice.gateway.support.Http.Reply;
import eu.minivoice.gateway.support.SharedGateway;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpHeaders;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

import static eu.minivoice.gateway.support.TestGateway.API_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/openapi.yaml: a valid OpenAPI 3.1 document, served at GET /openapi.yaml, naming exactly the
 * routes the gateway has with their access rule. That every answer fits it is checked on every
 * request of every API test ({@link ApiContract} in Http); the last test shows that check bites.
 */
class OpenApiTest {
    @RegisterExtension
    static final SharedGateway shared = new SharedGateway();

    @Test
    void theDocumentIsAValidOpenApi31DescriptionWhoseReferencesAllResolve() throws Exception {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult result = new OpenAPIV3Parser().readContents(Files.readString(ApiContract.DOCUMENT), null,
                options);
        assertTrue(result.getMessages() == null || result.getMessages().isEmpty(), "parser messages: " + result.getMessages());
        assertEquals("3.1.0", result.getOpenAPI().getOpenapi());

        JsonNode doc = ApiContract.shared().document();
        List<String> broken = new ArrayList<>();
        refs(doc, doc, broken);
        assertTrue(broken.isEmpty(), "unresolved $ref: " + broken);
        // Every operation is named, and every one says what a wrong key gets (except the public ones).
        doc.path("paths").fields().forEachRemaining(p -> p.getValue().fields().forEachRemaining(op -> {
            if (op.getKey().equals("parameters")) {
                return;
            }
            assertTrue(op.getValue().hasNonNull("operationId"), p.getKey() + " " + op.getKey() + " has no operationId");
            boolean open = op.getValue().has("security") && op.getValue().get("security").isEmpty();
            assertEquals(!open, op.getValue().path("responses").has("401"), p.getKey() + " " + op.getKey() + ": 401");
        }));
    }

    private static void refs(JsonNode root, JsonNode node, List<String> broken) {
        if (node.isObject()) {
            JsonNode ref = node.get("$ref");
            if (ref != null && ref.isTextual() && (!ref.asText().startsWith("#/") || root.at(ref.asText().substring(1)).isMissingNode())) {
                broken.add(ref.asText());
            }
            node.elements().forEachRemaining(child -> refs(root, child, broken));
        } else if (node.isArray()) {
            node.elements().forEachRemaining(child -> refs(root, child, broken));
        }
    }

    @Test
    void itDescribesExactlyTheRoutesTheGatewayHasWithTheirKeys() {
        JsonNode doc = ApiContract.shared().document();
        TreeSet<String> documented = new TreeSet<>();
        doc.path("paths").fields().forEachRemaining(p -> p.getValue().fields().forEachRemaining(op -> {
            if (!op.getKey().equals("parameters")) {
                documented.add(op.getKey().toUpperCase(Locale.ROOT) + " " + p.getKey() + " " + access(doc, op.getValue()));
            }
        }));
        TreeSet<String> routed = new TreeSet<>();
        for (Route r : shared.gw().gateway().apiRoutes()) {
            routed.add(r.method() + " " + r.pattern() + " " + r.access());
        }
        assertEquals(routed, documented);
    }

    /** The document's security requirement as the router's access rule. */
    private static Route.Access access(JsonNode doc, JsonNode operation) {
        JsonNode security = operation.has("security") ? operation.get("security") : doc.get("security");
        if (security.isEmpty()) {
            return Route.Access.PUBLIC;
        }
        return security.get(0).has("operatorKey") ? Route.Access.OPERATOR : Route.Access.CUSTOMER;
    }

    @Test
    void theGatewayServesTheDocumentWithoutAKey() throws Exception {
        Reply r = shared.gw().http.get("/openapi.yaml", null);
        assertEquals(200, r.status());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/yaml"));
        assertEquals(Files.readString(ApiContract.DOCUMENT), r.body(), "the jar serves docs/openapi.yaml as it is");
    }

    @Test
    void theContractCheckRefusesAnswersTheDocumentDoesNotAllow() {
        ApiContract contract = ApiContract.shared();
        HttpHeaders json = HttpHeaders.of(Map.of("Content-Type", List.of("application/json; charset=utf-8")), (a, b) -> true);
        ObjectNode trunk = (ObjectNode) shared.gw().http.post("/v1/trunks", API_KEY,
                "{\"name\":\"contract\",\"proxy\":\"127.0.0.1:5999\"}").json();
        String good = trunk.toString();
        contract.check("GET", "/v1/trunks/" + trunk.at("/data/id").asText(), 200, json, good);

        ObjectNode missing = trunk.deepCopy();
        ((ObjectNode) missing.get("data")).remove("proxy");
        assertRefused(() -> contract.check("GET", "/v1/trunks/x", 200, json, missing.toString()), "required");

        ObjectNode extra = trunk.deepCopy();
        ((ObjectNode) extra.get("data")).put("password", "secret");
        assertRefused(() -> contract.check("GET", "/v1/trunks/x", 200, json, extra.toString()), "password");

        ObjectNode wrongType = trunk.deepCopy();
        ((ObjectNode) wrongType.get("data")).put("priority", "1");
        assertRefused(() -> contract.check("GET", "/v1/trunks/x", 200, json, wrongType.toString()), "priority");

        ObjectNode badTime = trunk.deepCopy();
        ((ObjectNode) badTime.get("data")).put("created_at", "2026-12-02T07:00:00Z");
        assertRefused(() -> contract.check("GET", "/v1/trunks/x", 200, json, badTime.toString()), "created_at");

        assertRefused(() -> contract.check("GET", "/v1/trunks/x", 418, json, good), "not documented");
        assertRefused(() -> contract.check("DELETE", "/v1/trunks/x", 204, json, good), "body");
        assertRefused(() -> contract.check("GET", "/v1/trunks", 200, json, good), "data");
        String error = "{\"error\":{\"code\":\"no_such_code\",\"message\":\"m\"}}";
        assertRefused(() -> contract.check("GET", "/v1/trunks/x", 404, json, error), "no_such_code");
        HttpHeaders noRetry = json;
        assertRefused(() -> contract.check("GET", "/v1/trunks", 429, noRetry,
                "{\"error\":{\"code\":\"rate_limited\",\"message\":\"m\"}}"), "Retry-After");
        assertRefused(() -> contract.check("PUT", "/v1/trunks", 405, json,
                "{\"error\":{\"code\":\"method_not_allowed\",\"message\":\"m\"}}"), "Allow");
        HttpHeaders text = HttpHeaders.of(Map.of("Content-Type", List.of("text/html")), (a, b) -> true);
        assertRefused(() -> contract.check("GET", "/v1/trunks/x", 200, text, good), "Content-Type");
    }

    private static void assertRefused(org.junit.jupiter.api.function.Executable check, String mentions) {
        AssertionError e = assertThrows(AssertionError.class, check);
        assertTrue(e.getMessage().contains(mentions), "expected a refusal naming " + mentions + ": " + e.getMessage());
    }
}
