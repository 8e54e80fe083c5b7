package eu.minivoice.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import eu.minivoice.gateway.support.Http.Reply;
import eu.minivoice.gateway.support.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static eu.minivoice.gateway.support.TestGateway.OPERATOR_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** docs/security.md rule 6: keys listed by hint, revoked at once, rotated through the configuration, guessing slowed. */
class ApiKeyLifecycleTest {
    @Test
    void keysAreListedByHintRevokedAndRotated(@TempDir Path dir) throws Exception {
        Map<String, String> env = TestGateway.env(dir);
        String oldKey = env.get("MINIVOICE_API_KEY");
        try (TestGateway gw = TestGateway.start(dir, env)) {
            Reply c = gw.http.post("/v1/customers", OPERATOR_KEY, "{\"name\":\"K\"}");
            String customer = c.data().get("id").asText();
            String first = c.data().get("api_key").asText();
            String second = gw.http.post("/v1/customers/" + customer + "/api_keys", OPERATOR_KEY, "").data()
                    .get("api_key").asText();
            Reply list = gw.http.get("/v1/customers/" + customer + "/api_keys", OPERATOR_KEY);
            assertEquals(200, list.status(), list.body());
            assertEquals(2, list.data().size());
            assertFalse(list.body().contains(first) || list.body().contains(second), "never the keys themselves");
            JsonNode k1 = list.data().get(0);
            assertTrue(k1.get("id").asText().startsWith("key_"));
            assertEquals(first.substring(0, 8) + "…", k1.get("hint").asText());
            assertEquals(401, gw.http.get("/v1/customers/" + customer + "/api_keys", first).status(), "operator only");

            assertEquals(204, gw.http.delete("/v1/customers/" + customer + "/api_keys/" + k1.get("id").asText(),
                    OPERATOR_KEY).status());
            assertEquals(401, gw.http.get("/v1/trunks", first).status(), "revoked at once");
            assertEquals(200, gw.http.get("/v1/trunks", second).status(), "the other key still works");
            assertEquals(404, gw.http.delete("/v1/customers/" + customer + "/api_keys/" + k1.get("id").asText(),
                    OPERATOR_KEY).status());
            assertEquals(404, gw.http.delete("/v1/customers/cust_default/api_keys/" + list.data().get(1).get("id").asText(),
                    OPERATOR_KEY).status(), "another customer's key id is not found");
            assertEquals(200, gw.http.get("/v1/trunks", oldKey).status());
        }
        // A changed MINIVOICE_API_KEY replaces the configured one.
        env.put("MINIVOICE_API_KEY", "rotated-default-key-9876543210");
        try (TestGateway gw = TestGateway.start(dir, env)) {
            assertEquals(200, gw.http.get("/v1/trunks", "rotated-default-key-9876543210").status());
            assertEquals(401, gw.http.get("/v1/trunks", oldKey).status(), "the previous configured key is revoked");
            JsonNode keys = gw.http.get("/v1/customers/cust_default/api_keys", OPERATOR_KEY).data();
            assertEquals(1, keys.size(), keys.toString());
            assertEquals("config", keys.get(0).get("origin").asText());
        }
    }

    @Test
    void repeatedFailuresFromOneAddressGet429(@TempDir Path dir) throws Exception {
        Map<String, String> env = TestGateway.env(dir);
        env.put("MINIVOICE_ADMIN_AUTH_MAX_FAILURES", "5");
        try (TestGateway gw = TestGateway.start(dir, env)) {
            for (int i = 0; i < 5; i++) {
                assertEquals(401, gw.http.get("/v1/trunks", "guess-" + i + "-0123456789abcdef").status());
            }
            assertEquals(401, gw.http.get("/v1/trunks", "guess-6-0123456789abcdef").status(), "the one over the limit");
            Reply slowed = gw.http.get("/v1/trunks", TestGateway.API_KEY);
            assertEquals(429, slowed.status(), "even a right key waits: guessing must not go on");
            assertEquals("rate_limited", slowed.errorCode());
            assertTrue(Integer.parseInt(slowed.headers().firstValue("Retry-After").orElse("0")) > 0);
            assertEquals(200, gw.http.get("/health", null).status(), "public routes are not throttled");
        }
    }
}
