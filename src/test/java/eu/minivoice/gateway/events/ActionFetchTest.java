package eu.minivoice.gateway.events;

import com.fasterxml.jackson.databind.JsonNode;
import eu.minivoice.gateway.actions.Action;
import eu.minivoice.gateway.actions.ActionDecision;
import eu.minivoice.gateway.actions.ActionRequest;
import eu.minivoice.gateway.actions.FallbackReason;
import eu.minivoice.gateway.domain.CallInfo;
import eu.minivoice.gateway.support.Await;
import eu.minivoice.gateway.support.FreePorts;
import eu.minivoice.gateway.support.Http.Reply;
import eu.minivoice.gateway.support.SharedGateway;
import eu.minivoice.gateway.support.TestApplications;
import eu.minivoice.gateway.support.WebhookReceiver;
import eu.minivoice.gateway.support.WebhookReceiver.Answer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static eu.minivoice.gateway.support.TestGateway.API_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The action fetch (docs/product.md §5/§6) against a real local webhook, through the running gateway. */
class ActionFetchTest {
    @RegisterExtension
    static final SharedGateway shared = new SharedGateway(env -> {
        env.put("MINIVOICE_WEBHOOKS_ACTION_TIMEOUT_MS", "400");
        env.put("MINIVOICE_WEBHOOKS_MAX_RESPONSE_BYTES", "4096");
    });
    private static final String SECRET = "whsec_action_test_00001";
    private static final String FALLBACK = "{\"type\":\"forward\",\"to\":\"sip:backup@192.0.2.9\"}";
    private WebhookReceiver receiver;
    private TestApplications apps;

    @BeforeEach
    void receiver() throws Exception {
        receiver = new WebhookReceiver();
        apps = new TestApplications(shared.gw().http, API_KEY);
    }

    @AfterEach
    void cleanUp() {
        receiver.close();
        apps.deleteAll();
    }

    private String app(String webhookUrl, String fallback) {
        return apps.create("\"webhook_url\":\"" + webhookUrl + "\",\"webhook_secret\":\"" + SECRET + "\""
                + (fallback == null ? "" : ",\"fallback_action\":" + fallback));
    }

    private ActionDecision fetch(String appId, String callId) throws Exception {
        CallInfo call = new CallInfo(callId, "cust_default", appId, "trunk_1", "initiated", "inbound", "+15551230001",
                "+15551230002");
        long t0 = System.nanoTime();
        ActionDecision d = shared.gw().gateway().actionFetcher()
                .fetch(new ActionRequest(call, Map.of(), Map.of("sip_call_id", "abc@carrier")))
                .get(5, TimeUnit.SECONDS);
        assertTrue((System.nanoTime() - t0) / 1_000_000 < 1_500, "bounded by the action timeout");
        return d;
    }

    private static JsonNode storedEvent(String eventId) {
        return Await.until("event " + eventId + " stored", () -> {
            Reply r = shared.gw().http.get("/v1/events/" + eventId, API_KEY);
            return r.status() == 200 ? r.data() : null;
        }, e -> true, Duration.ofSeconds(5));
    }

    @Test
    void validActionsAreParsedAndTheFetchIsSignedAndRecorded() throws Exception {
        receiver.respond(r -> Answer.json("{\"actions\":[{\"type\":\"set\",\"variables\":{\"tier\":\"gold\"}},"
                + "{\"type\":\"forward\",\"to\":[\"sip:a@192.0.2.5\",\"sip:b@192.0.2.6\"],\"timeout\":20},"
                + "{\"type\":\"reject\",\"status\":486,\"reason\":\"Busy Here\"}]}"));
        String app = app(receiver.url("/voice"), null);
        ActionDecision d = fetch(app, "call_af1");
        assertFalse(d.usedFallback());
        assertEquals(200, d.httpStatus());
        assertEquals(List.of(new Action.SetVariables(Map.of("tier", "gold")),
                new Action.Forward(List.of("sip:a@192.0.2.5", "sip:b@192.0.2.6"), 20),
                new Action.Reject(486, "Busy Here")), d.actions());

        WebhookReceiver.Received req = receiver.received().get(0);
        assertEquals("call.initiated", req.header("X-MiniVoice-Event"));
        assertTrue(WebhookReceiver.verify(req.header("X-MiniVoice-Signature"), req.body(), SECRET,
                Instant.now().getEpochSecond(), 300));
        assertTrue(req.body().contains("\"event\":\"call.initiated\""));
        assertTrue(req.body().contains("\"sip_call_id\":\"abc@carrier\""));

        JsonNode e = storedEvent(d.eventId());
        assertEquals("webhook", e.get("data").get("action").get("source").asText());
        JsonNode fetchRow = e.get("deliveries").get(0);
        assertEquals("action", fetchRow.get("kind").asText());
        assertEquals("delivered", fetchRow.get("status").asText());
        assertEquals(req.header("X-MiniVoice-Delivery"), fetchRow.get("id").asText());
        Thread.sleep(300);
        assertEquals(1, receiver.received().size(), "call.initiated is not delivered to the webhook a second time");
    }

    private void assertFallback(ActionDecision d, FallbackReason reason, String detailPart) throws Exception {
        assertTrue(d.usedFallback(), String.valueOf(d));
        assertEquals(reason, d.fallbackReason());
        assertTrue(d.detail().contains(detailPart), d.detail());
        assertEquals(List.of(new Action.Forward(List.of("sip:backup@192.0.2.9"), 30)), d.actions());
        JsonNode e = storedEvent(d.eventId());
        JsonNode action = e.get("data").get("action");
        assertEquals("fallback", action.get("source").asText());
        assertEquals(reason.token(), action.get("error").get("code").asText(), e.toString());
        assertTrue(action.get("error").get("message").asText().contains(detailPart));
    }

    @Test
    void badJsonFallsBack() throws Exception {
        receiver.respond(r -> new Answer(200, "<html>oops</html>", Map.of(), Duration.ZERO));
        assertFallback(fetch(app(receiver.url("/v"), FALLBACK), "call_af2"), FallbackReason.INVALID_JSON, "not JSON");
        receiver.respond(r -> Answer.of(200));
        assertFallback(fetch(app(receiver.url("/v"), FALLBACK), "call_af2b"), FallbackReason.INVALID_JSON, "not JSON");
    }

    @Test
    void invalidActionsFallBackWithTheProblemNamed() throws Exception {
        String app = app(receiver.url("/v"), FALLBACK);
        receiver.respond(r -> Answer.json("{\"actions\":[{\"type\":\"forward\",\"to\":\"http://not-sip\"}]}"));
        assertFallback(fetch(app, "call_af3"), FallbackReason.INVALID_ACTIONS, "actions[0].to");
        receiver.respond(r -> Answer.json("{\"actions\":[{\"type\":\"teleport\"}]}"));
        assertFallback(fetch(app, "call_af4"), FallbackReason.INVALID_ACTIONS, "unknown action 'teleport'");
        receiver.respond(r -> Answer.json("{\"actions\":[{\"type\":\"set\",\"variables\":{}}]}"));
        assertFallback(fetch(app, "call_af5"), FallbackReason.INVALID_ACTIONS, "no action routes the call");
        receiver.respond(r -> Answer.json("[]"));
        assertFallback(fetch(app, "call_af6"), FallbackReason.INVALID_ACTIONS, "JSON object");
    }

    @Test
    void aHugeAnswerFallsBack() throws Exception {
        receiver.respond(r -> Answer.json("{\"actions\":[{\"type\":\"reject\",\"reason\":\"" + "x".repeat(100_000)
                + "\"}]}"));
        assertFallback(fetch(app(receiver.url("/v"), FALLBACK), "call_af7"), FallbackReason.TOO_LARGE, "larger than");
    }

    @Test
    void aSlowWebhookFallsBackAtTheTimeout() throws Exception {
        receiver.respond(r -> new Answer(200, "{\"actions\":[{\"type\":\"reject\"}]}", Map.of(), Duration.ofSeconds(3)));
        long t0 = System.nanoTime();
        ActionDecision d = fetch(app(receiver.url("/v"), FALLBACK), "call_af8");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertFallback(d, FallbackReason.TIMEOUT, "timeout");
        assertTrue(ms >= 350 && ms < 1_000, "fell back after " + ms + " ms");
    }

    @Test
    void non2xxAndDeadWebhooksFallBack() throws Exception {
        receiver.respond(r -> Answer.of(500));
        assertFallback(fetch(app(receiver.url("/v"), FALLBACK), "call_af9"), FallbackReason.HTTP_STATUS, "HTTP 500");
        receiver.respond(r -> new Answer(301, "", Map.of("Location", "http://elsewhere.example/"), Duration.ZERO));
        assertFallback(fetch(app(receiver.url("/v"), FALLBACK), "call_af10"), FallbackReason.HTTP_STATUS,
                "redirect not followed");
        String dead = "http://127.0.0.1:" + FreePorts.next() + "/v";
        assertFallback(fetch(app(dead, FALLBACK), "call_af11"), FallbackReason.CONNECTION_ERROR, "connection failed");
    }

    @Test
    void withoutAFallbackActionTheCallIsRejectedWith503() throws Exception {
        receiver.respond(r -> Answer.of(502));
        ActionDecision d = fetch(app(receiver.url("/v"), null), "call_af12");
        assertEquals(FallbackReason.HTTP_STATUS, d.fallbackReason());
        assertEquals(List.of(new Action.Reject(503, "Service Unavailable")), d.actions());
    }

    @Test
    void anUnknownOrForeignApplicationGetsTheDefault() throws Exception {
        ActionDecision d = fetch("app_doesnotexist", "call_af13");
        assertEquals(FallbackReason.NO_APPLICATION, d.fallbackReason());
        assertEquals(HttpActionFetcher.DEFAULT_FALLBACK, d.actions());
        assertNull(d.httpStatus());
    }
}
