package eu.minivoice.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import eu.minivoice.gateway.support.Http.Reply;
import eu.minivoice.gateway.support.SharedGateway;
import eu.minivoice.gateway.support.WebhookReceiver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;

import static eu.minivoice.gateway.support.TestGateway.API_KEY;
import static eu.minivoice.gateway.support.TestGateway.OPERATOR_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** /v1/applications, /v1/numbers and /v1/account over real HTTP, bad input included. */
class ApplicationsAndNumbersApiTest {
    @RegisterExtension
    static final SharedGateway shared = new SharedGateway();

    private static Reply post(String path, String body) {
        return shared.gw().http.post(path, API_KEY, body);
    }

    private static void assert422(Reply r, String field, String messagePart) {
        assertEquals(422, r.status(), r.body());
        assertEquals("validation_failed", r.errorCode());
        assertEquals(field, r.errorField(), r.body());
        assertTrue(r.body().contains(messagePart), r.body());
    }

    @Test
    void anApplicationIsCreatedWithAGeneratedSecretShownOnce() {
        Reply r = post("/v1/applications", "{\"name\":\"Support line\",\"webhook_url\":\"https://hooks.example.com/voice\","
                + "\"fallback_action\":{\"type\":\"reject\",\"status\":480}}");
        assertEquals(201, r.status(), r.body());
        JsonNode a = r.data();
        assertTrue(a.get("id").asText().startsWith("app_"));
        assertTrue(a.get("webhook_secret").asText().startsWith("whsec_"));
        assertTrue(a.get("status_callback_url").isNull());
        assertEquals(480, a.get("fallback_action").get("status").asInt());
        Reply got = shared.gw().http.get("/v1/applications/" + a.get("id").asText(), API_KEY);
        assertFalse(got.body().contains("\"webhook_secret\""), got.body());
        assertFalse(got.body().contains(a.get("webhook_secret").asText()));
        assertTrue(got.data().get("has_webhook_secret").asBoolean());

        Reply given = post("/v1/applications", "{\"name\":\"Given secret\",\"webhook_url\":\"http://127.0.0.1:9/x\","
                + "\"webhook_secret\":\"whsec_my_own_secret_123\"}");
        assertEquals(201, given.status());
        assertFalse(given.body().contains("whsec_my_own_secret_123"), "a secret the customer chose is not echoed");

        Reply patched = shared.gw().http.patch("/v1/applications/" + a.get("id").asText(), API_KEY,
                "{\"status_callback_url\":\"https://hooks.example.com/status\",\"fallback_action\":null}");
        assertEquals(200, patched.status(), patched.body());
        assertEquals("https://hooks.example.com/status", patched.data().get("status_callback_url").asText());
        assertTrue(patched.data().get("fallback_action").isNull());
        assertEquals(409, post("/v1/applications", "{\"name\":\"Support line\",\"webhook_url\":\"https://a.example/\"}")
                .status(), "names are unique per customer");
    }

    @Test
    void badApplicationInputIsRefusedAtCreate() {
        String base = "{\"name\":\"bad\",\"webhook_url\":";
        assert422(post("/v1/applications", base + "\"ftp://files.example/x\"}"), "webhook_url", "http or https");
        assert422(post("/v1/applications", base + "\"not a url\"}"), "webhook_url", "URL");
        assert422(post("/v1/applications", base + "\"https:///nohost\"}"), "webhook_url", "host");
        assert422(post("/v1/applications", base + "\"https://user:pw@hooks.example/x\"}"), "webhook_url", "credentials");
        assert422(post("/v1/applications", base + "\"https://hooks.example/x#frag\"}"), "webhook_url", "fragment");
        assert422(post("/v1/applications", base + "\"https://hooks.example/" + "a".repeat(2100) + "\"}"),
                "webhook_url", "2048");
        assert422(post("/v1/applications", base + "42}"), "webhook_url", "must be a string");
        assert422(post("/v1/applications", "{\"name\":\"bad\"}"), "webhook_url", "is required");
        assert422(post("/v1/applications", "{\"webhook_url\":\"https://a.example/\"}"), "name", "is required");
        assert422(post("/v1/applications", base + "\"https://a.example/\",\"status_callback_url\":\"mailto:x@y\"}"),
                "status_callback_url", "http or https");
        assert422(post("/v1/applications", base + "\"https://a.example/\",\"fallback_action\":{\"type\":\"dance\"}}"),
                "fallback_action", "unknown action");
        assert422(post("/v1/applications", base + "\"https://a.example/\",\"fallback_action\":"
                + "{\"type\":\"forward\",\"to\":\"tel:123\"}}"), "fallback_action", "sip:");
        // The platform side has no TLS: such a target could never be reached.
        assert422(post("/v1/applications", base + "\"https://a.example/\",\"fallback_action\":"
                + "{\"type\":\"forward\",\"to\":\"sips:agent@platform.example\"}}"), "fallback_action", "no TLS");
        assert422(post("/v1/applications", base + "\"https://a.example/\",\"fallback_action\":"
                + "{\"type\":\"forward\",\"to\":[\"sip:a@platform.example\",\"sip:b@platform.example;Transport=TLS\"]}}"),
                "fallback_action", "no TLS");
        assert422(post("/v1/applications", base + "\"https://a.example/\",\"webhook_secret\":\"short\"}"),
                "webhook_secret", "16 to 256");
        assert422(post("/v1/applications", base + "\"https://a.example/\",\"colour\":\"red\"}"), "colour", "unknown field");
        assert422(post("/v1/applications", base + "\"https://a.example/\",\"id\":\"app_mine\"}"), "id", "read-only");
        assertEquals(400, post("/v1/applications", "{\"name\":").status());
        assertEquals(0, shared.gw().http.get("/v1/applications", API_KEY).data().findValues("name").stream()
                .filter(n -> n.asText().equals("bad")).count(), "nothing half-written");
    }

    @Test
    void numbersAreNormalisedToE164AndTiedToTheCustomersOwnResources() {
        String app = post("/v1/applications", "{\"name\":\"DID app\",\"webhook_url\":\"https://a.example/\"}")
                .data().get("id").asText();
        Reply n = post("/v1/numbers", "{\"number\":\"+1 (555) 123-0002\",\"application_id\":\"" + app + "\"}");
        assertEquals(201, n.status(), n.body());
        assertEquals("+15551230002", n.data().get("number").asText());
        assertTrue(n.data().get("id").asText().startsWith("num_"));
        assertEquals(app, n.data().get("application_id").asText());
        assertEquals(409, post("/v1/numbers", "{\"number\":\"+15551230002\"}").status(), "once per customer");

        assert422(post("/v1/numbers", "{\"number\":\"5551230002\"}"), "number", "E.164");
        assert422(post("/v1/numbers", "{\"number\":\"+0123456\"}"), "number", "E.164");
        assert422(post("/v1/numbers", "{\"number\":\"+1234567890123456\"}"), "number", "E.164");
        assert422(post("/v1/numbers", "{}"), "number", "is required");
        assert422(post("/v1/numbers", "{\"number\":\"+15551230003\",\"application_id\":\"app_nope\"}"),
                "application_id", "no such application");
        assert422(post("/v1/numbers", "{\"number\":\"+15551230003\",\"trunk_id\":\"trunk_nope\"}"),
                "trunk_id", "no such trunk");
        assert422(post("/v1/trunks", "{\"name\":\"t-app\",\"proxy\":\"127.0.0.1:5999\",\"application_id\":\"app_nope\"}"),
                "application_id", "no such application");

        // An application in use cannot be deleted; once the number moves away it can.
        Reply del = shared.gw().http.delete("/v1/applications/" + app, API_KEY);
        assertEquals(409, del.status(), del.body());
        assertEquals("conflict", del.errorCode());
        String numId = n.data().get("id").asText();
        assertEquals(200, shared.gw().http.patch("/v1/numbers/" + numId, API_KEY, "{\"application_id\":null}").status());
        assertEquals(204, shared.gw().http.delete("/v1/applications/" + app, API_KEY).status());

        // Another customer sees none of it and cannot point at it.
        String other = shared.gw().http.post("/v1/customers", OPERATOR_KEY, "{\"name\":\"Other\"}").data()
                .get("api_key").asText();
        assertEquals(404, shared.gw().http.get("/v1/numbers/" + numId, other).status());
        assertEquals(0, shared.gw().http.get("/v1/numbers", other).data().size());
        String mine = post("/v1/applications", "{\"name\":\"Mine\",\"webhook_url\":\"https://a.example/\"}")
                .data().get("id").asText();
        Reply foreign = shared.gw().http.post("/v1/numbers", other, "{\"number\":\"+15551230002\",\"application_id\":\""
                + mine + "\"}");
        assert422(foreign, "application_id", "no such application");
        assertEquals(201, shared.gw().http.post("/v1/numbers", other, "{\"number\":\"+15551230002\"}").status(),
                "a DID is unique per customer, not globally (BYOC: the number lives at the customer's carrier)");
        assertEquals(404, shared.gw().http.delete("/v1/applications/" + mine, other).status());
        assertEquals(204, shared.gw().http.delete("/v1/numbers/" + numId, API_KEY).status());
    }

    @Test
    void trunkEventsReachTheCustomersEventsUrlAndTheTrunksApplication() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            Reply account = shared.gw().http.patch("/v1/account", API_KEY, "{\"events_url\":\""
                    + receiver.url("/customer-events") + "\"}");
            assertEquals(200, account.status(), account.body());
            String customerSecret = account.data().get("events_secret").asText();
            assertTrue(customerSecret.startsWith("whsec_"));
            assertFalse(shared.gw().http.get("/v1/account", API_KEY).body().contains(customerSecret));
            assert422(shared.gw().http.patch("/v1/account", API_KEY, "{\"events_url\":\"gopher://x\"}"), "events_url",
                    "http or https");

            String app = post("/v1/applications", "{\"name\":\"Trunk app\",\"webhook_url\":\"" + receiver.url("/voice")
                    + "\",\"status_callback_url\":\"" + receiver.url("/app-status") + "\",\"webhook_secret\":"
                    + "\"whsec_trunk_app_secret_1\"}").data().get("id").asText();
            Reply trunk = post("/v1/trunks", "{\"name\":\"evt-trunk\",\"proxy\":\"127.0.0.1:5999\",\"username\":\"u\","
                    + "\"password\":\"p\",\"application_id\":\"" + app + "\"}");
            assertEquals(201, trunk.status(), trunk.body());
            String trunkId = trunk.data().get("id").asText();

            WebhookReceiver.Received toCustomer = receiver.await(r -> r.path().equals("/customer-events")
                    && r.body().contains(trunkId), 1, Duration.ofSeconds(5)).get(0);
            WebhookReceiver.Received toApp = receiver.await(r -> r.path().equals("/app-status")
                    && r.body().contains(trunkId), 1, Duration.ofSeconds(5)).get(0);
            assertEquals("trunk.registration_changed", toCustomer.header("X-MiniVoice-Event"));
            long now = Instant.now().getEpochSecond();
            assertTrue(WebhookReceiver.verify(toCustomer.header("X-MiniVoice-Signature"), toCustomer.body(),
                    customerSecret, now, 300), "signed with the customer's events secret");
            assertTrue(WebhookReceiver.verify(toApp.header("X-MiniVoice-Signature"), toApp.body(),
                    "whsec_trunk_app_secret_1", now, 300), "signed with the application's secret");
            assertEquals(0, receiver.received(r -> r.path().equals("/voice")).size(), "events never go to webhook_url"
                    + " when a status callback is set");

            shared.gw().http.delete("/v1/trunks/" + trunkId, API_KEY);
            shared.gw().http.patch("/v1/account", API_KEY, "{\"events_url\":null}");
            shared.gw().http.delete("/v1/applications/" + app, API_KEY);
        }
    }
}
