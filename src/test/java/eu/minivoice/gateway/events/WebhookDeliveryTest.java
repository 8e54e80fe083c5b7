package eu.minivoice.gateway.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import eu.minivoice.gateway.domain.CallInfo;
import eu.minivoice.gateway.domain.StoredEvent;
import eu.minivoice.gateway.support.Http.Reply;
import eu.minivoice.gateway.support.Await;
import eu.minivoice.gateway.support.SharedGateway;
import eu.minivoice.gateway.support.TestApplications;
import eu.minivoice.gateway.support.WebhookReceiver;
import eu.minivoice.gateway.support.WebhookReceiver.Answer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import static eu.minivoice.gateway.support.TestGateway.API_KEY;
import static eu.minivoice.gateway.support.TestGateway.OPERATOR_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** docs/product.md §6 delivery against a real local HTTP receiver, through the running gateway's outbox. */
class WebhookDeliveryTest {
    @RegisterExtension
    static final SharedGateway shared = new SharedGateway(env -> {
        env.put("MINIVOICE_WEBHOOKS_BACKOFF_MIN_MS", "100");
        env.put("MINIVOICE_WEBHOOKS_BACKOFF_MAX_SECONDS", "1");
        env.put("MINIVOICE_WEBHOOKS_TIMEOUT_MS", "500");
        env.put("MINIVOICE_WEBHOOKS_CONNECT_TIMEOUT_MS", "500");
    });
    private static final String SECRET = "whsec_delivery_test_0001";
    private static final ObjectMapper JSON = new ObjectMapper();
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

    private String app(String callbackUrl) {
        return apps.create("\"webhook_url\":\"" + receiver.url("/actions") + "\",\"status_callback_url\":\""
                + callbackUrl + "\",\"webhook_secret\":\"" + SECRET + "\"");
    }

    private StoredEvent publish(String appId, String callId, String type) {
        eu.minivoice.gateway.Gateway g = shared.gw().gateway();
        CallInfo call = new CallInfo(callId, "cust_default", appId, "trunk_x", "ringing", "inbound", "+15551230001",
                "+15551230002");
        StoredEvent e = g.callEvents().event(type, call, Map.of("lang", "en"), Map.of("sip_code", 180),
                Instant.now());
        assertTrue(g.outbox().publish(e));
        return e;
    }

    private static JsonNode awaitEvent(String eventId, Predicate<JsonNode> condition, Duration within) {
        return Await.until("event " + eventId, () -> {
            Reply r = shared.gw().http.get("/v1/events/" + eventId, API_KEY);
            return r.status() == 200 ? r.data() : null;
        }, condition, within);
    }

    private static Predicate<JsonNode> deliveryStatus(String status) {
        return e -> e.get("deliveries").size() > 0
                && e.get("deliveries").get(0).get("status").asText().equals(status);
    }

    private static Predicate<WebhookReceiver.Received> event(String id) {
        return r -> r.body().contains("\"id\":\"" + id + "\"");
    }

    @Test
    void deliversTheSignedEnvelopeAndRecordsIt() throws Exception {
        String app = app(receiver.url("/events"));
        StoredEvent e = publish(app, "call_sig1", "call.ringing");
        WebhookReceiver.Received got = receiver.await(event(e.id()), 1, Duration.ofSeconds(5)).get(0);

        assertEquals("/events", got.path());
        assertEquals("call.ringing", got.header("X-MiniVoice-Event"));
        assertTrue(got.header("X-MiniVoice-Delivery").startsWith("dlv_"));
        assertTrue(got.header("Content-Type").startsWith("application/json"));
        long now = Instant.now().getEpochSecond();
        String sig = got.header("X-MiniVoice-Signature");
        assertTrue(WebhookReceiver.verify(sig, got.body(), SECRET, now, 300), sig);
        assertFalse(WebhookReceiver.verify(sig, got.body(), "whsec_wrong_secret_000", now, 300));
        assertFalse(WebhookReceiver.verify(sig, got.body().replace("ringing", "answered"), SECRET, now, 300));
        assertFalse(WebhookReceiver.verify(sig, got.body(), SECRET, now + 3600, 300), "replay window");

        // The envelope exactly as docs/product.md §6.
        JsonNode body = JSON.readTree(got.body());
        assertEquals(List.of("id", "event", "created_at", "call", "variables", "data"), names(body));
        assertEquals(List.of("id", "customer_id", "application_id", "trunk_id", "status", "direction", "from", "to"),
                names(body.get("call")));
        assertEquals(e.id(), body.get("id").asText());
        assertTrue(body.get("id").asText().startsWith("evt_"));
        assertTrue(body.get("created_at").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z"));
        assertEquals(app, body.get("call").get("application_id").asText());
        assertEquals("en", body.get("variables").get("lang").asText());
        assertEquals(180, body.get("data").get("sip_code").asInt());

        JsonNode stored = awaitEvent(e.id(), deliveryStatus("delivered"), Duration.ofSeconds(5));
        JsonNode d = stored.get("deliveries").get(0);
        assertEquals(got.header("X-MiniVoice-Delivery"), d.get("id").asText());
        assertEquals("application", d.get("kind").asText());
        assertEquals(receiver.url("/events"), d.get("url").asText());
        assertEquals(1, d.get("attempts").asInt());
        assertEquals(200, d.get("last_status_code").asInt());
        assertTrue(d.get("delivered_at").isTextual());
        assertTrue(d.get("next_attempt_at").isNull());
        assertEquals(1, receiver.received(event(e.id())).size());
    }

    private static List<String> names(JsonNode n) {
        List<String> out = new ArrayList<>();
        Iterator<String> it = n.fieldNames();
        it.forEachRemaining(out::add);
        return out;
    }

    @Test
    void retriesOn5xxThenSucceedsWithTheSameDeliveryId() throws Exception {
        String app = app(receiver.url("/flaky"));
        AtomicInteger calls = new AtomicInteger();
        receiver.respond(r -> calls.incrementAndGet() <= 2 ? Answer.of(503) : Answer.of(200));
        StoredEvent e = publish(app, "call_retry", "call.answered");
        List<WebhookReceiver.Received> got = receiver.await(event(e.id()), 3, Duration.ofSeconds(5));
        assertEquals(1, got.stream().map(r -> r.header("X-MiniVoice-Delivery")).distinct().count());
        JsonNode d = awaitEvent(e.id(), deliveryStatus("delivered"), Duration.ofSeconds(5)).get("deliveries").get(0);
        assertEquals(3, d.get("attempts").asInt());
        assertEquals(200, d.get("last_status_code").asInt());
    }

    @Test
    void a4xxEndsTheDeliveryAsFailed() throws Exception {
        String app = app(receiver.url("/gone"));
        receiver.respond(r -> Answer.of(404));
        StoredEvent e = publish(app, "call_404", "call.completed");
        JsonNode d = awaitEvent(e.id(), deliveryStatus("failed"), Duration.ofSeconds(5)).get("deliveries").get(0);
        assertEquals(1, d.get("attempts").asInt());
        assertEquals(404, d.get("last_status_code").asInt());
        assertEquals("HTTP 404", d.get("last_error").asText());
        Thread.sleep(500);
        assertEquals(1, receiver.received(event(e.id())).size(), "not retried");

        Reply failedOnly = shared.gw().http.get("/v1/events?status=failed", API_KEY);
        assertTrue(failedOnly.body().contains(e.id()));
        assertFalse(shared.gw().http.get("/v1/events?status=delivered&limit=1000", API_KEY).body().contains(e.id()));
    }

    @Test
    void aTimeoutIsRecordedAndRetried() throws Exception {
        String app = app(receiver.url("/slow"));
        AtomicInteger calls = new AtomicInteger();
        receiver.respond(r -> calls.incrementAndGet() == 1
                ? new Answer(200, "", Map.of(), Duration.ofMillis(1500)) : Answer.of(204));
        StoredEvent e = publish(app, "call_slow", "call.ringing");
        JsonNode pending = awaitEvent(e.id(), ev -> ev.get("deliveries").size() > 0
                && ev.get("deliveries").get(0).get("attempts").asInt() >= 1, Duration.ofSeconds(5));
        JsonNode first = pending.get("deliveries").get(0);
        if (first.get("status").asText().equals("pending")) {
            assertTrue(first.get("last_error").asText().startsWith("timeout"), first.toString());
            assertTrue(first.get("next_attempt_at").isTextual());
        }
        JsonNode d = awaitEvent(e.id(), deliveryStatus("delivered"), Duration.ofSeconds(5)).get("deliveries").get(0);
        assertEquals(2, d.get("attempts").asInt());
        assertEquals(204, d.get("last_status_code").asInt());
    }

    @Test
    void redirectsAreNotFollowed() throws Exception {
        try (WebhookReceiver elsewhere = new WebhookReceiver()) {
            String app = app(receiver.url("/moved"));
            receiver.respond(r -> new Answer(302, "", Map.of("Location", elsewhere.url("/x")), Duration.ZERO));
            StoredEvent e = publish(app, "call_302", "call.ringing");
            JsonNode d = awaitEvent(e.id(), deliveryStatus("failed"), Duration.ofSeconds(5)).get("deliveries").get(0);
            assertEquals(302, d.get("last_status_code").asInt());
            assertTrue(d.get("last_error").asText().contains("redirect not followed"), d.toString());
            assertTrue(d.get("last_error").asText().contains(elsewhere.url("/x")), d.toString());
            assertEquals(0, elsewhere.received().size());
        }
    }

    @Test
    void aTlsErrorIsRecordedAndRetriedWithoutStallingOthers(@TempDir Path dir) throws Exception {
        try (WebhookReceiver untrusted = WebhookReceiver.selfSignedHttps(dir)) {
            String tlsApp = app(untrusted.url("/tls"));
            String okApp = app(receiver.url("/ok"));
            StoredEvent bad = publish(tlsApp, "call_tls", "call.ringing");
            StoredEvent good = publish(okApp, "call_ok", "call.ringing");
            awaitEvent(good.id(), deliveryStatus("delivered"), Duration.ofSeconds(5));
            JsonNode d = awaitEvent(bad.id(), ev -> ev.get("deliveries").get(0).get("attempts").asInt() >= 2,
                    Duration.ofSeconds(5)).get("deliveries").get(0);
            assertEquals("pending", d.get("status").asText(), "a TLS error is retried (the certificate may be fixed)");
            assertTrue(d.get("last_error").asText().startsWith("tls error"), d.toString());
            assertTrue(d.get("last_status_code").isNull());
            assertEquals(0, untrusted.received().size(), "nothing was sent over the untrusted connection");
        }
    }

    @Test
    void hugeAndNonJsonAnswersToEventsDoNotMatterOnlyTheStatus() throws Exception {
        String app = app(receiver.url("/big"));
        String big = "x".repeat(1_000_000);
        receiver.respond(r -> new Answer(200, big, Map.of("Content-Type", "text/plain"), Duration.ZERO));
        StoredEvent e = publish(app, "call_big", "call.ringing");
        JsonNode d = awaitEvent(e.id(), deliveryStatus("delivered"), Duration.ofSeconds(5)).get("deliveries").get(0);
        assertEquals(200, d.get("last_status_code").asInt());
    }

    @Test
    void perCallOrderIsKeptThroughFailures() throws Exception {
        String app = app(receiver.url("/order"));
        Set<String> failedOnce = ConcurrentHashMap.newKeySet();
        List<String> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();
        receiver.respond(r -> {
            String id = r.header("X-MiniVoice-Delivery");
            // every third delivery fails once with 500
            if (Math.abs(id.hashCode()) % 3 == 0 && failedOnce.add(id)) {
                return Answer.of(500);
            }
            accepted.add(r.body());
            return Answer.of(200);
        });
        List<String> callA = new ArrayList<>();
        List<String> callB = new ArrayList<>();
        String[] types = {"call.initiated", "call.ringing", "call.answered", "call.completed"};
        for (int round = 0; round < 3; round++) {
            for (String t : types) {
                callA.add(publish(app, "call_ordA", t).id());
                callB.add(publish(app, "call_ordB", t).id());
            }
        }
        receiver.await(r -> true, 24, Duration.ofSeconds(10));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (accepted.size() < 24 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(callA, idsOf(accepted, "call_ordA"));
        assertEquals(callB, idsOf(accepted, "call_ordB"));
    }

    private static List<String> idsOf(List<String> bodies, String callId) throws Exception {
        List<String> out = new ArrayList<>();
        for (String b : bodies) {
            JsonNode n = JSON.readTree(b);
            if (n.get("call").get("id").asText().equals(callId)) {
                out.add(n.get("id").asText());
            }
        }
        return out;
    }

    @Test
    void aSlowEndpointDoesNotDelayAnotherOne() throws Exception {
        try (WebhookReceiver fast = new WebhookReceiver()) {
            String slowApp = app(receiver.url("/slow"));
            receiver.respond(r -> new Answer(200, "", Map.of(), Duration.ofMillis(400)));
            String fastApp = apps.create("\"webhook_url\":\"" + fast.url("/a") + "\",\"status_callback_url\":\""
                    + fast.url("/e") + "\"");
            for (int i = 0; i < 40; i++) {
                publish(slowApp, "call_slow" + i, "call.ringing");
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < 10; i++) {
                publish(fastApp, "call_fast" + i, "call.ringing");
            }
            fast.await(x -> true, 10, Duration.ofSeconds(3));
            long fastMs = (System.nanoTime() - t0) / 1_000_000;
            // 40 slow deliveries at 8 in flight take >= 2 s; the fast endpoint was not queued behind them.
            assertTrue(fastMs < 1500, "fast endpoint took " + fastMs + " ms");
            assertTrue(receiver.received().size() < 40, "slow endpoint still busy: " + receiver.received().size());
        }
    }

    @Test
    void redeliverSendsAgainWithANewDeliveryAndIsTenantScoped() throws Exception {
        String app = app(receiver.url("/again"));
        StoredEvent e = publish(app, "call_again", "call.completed");
        awaitEvent(e.id(), deliveryStatus("delivered"), Duration.ofSeconds(5));
        Reply r = shared.gw().http.post("/v1/events/" + e.id() + "/redeliver", API_KEY, "");
        assertEquals(202, r.status(), r.body());
        List<WebhookReceiver.Received> got = receiver.await(event(e.id()), 2, Duration.ofSeconds(5));
        assertNotEquals(got.get(0).header("X-MiniVoice-Delivery"), got.get(1).header("X-MiniVoice-Delivery"));
        assertEquals(got.get(0).body(), got.get(1).body(), "the same event");
        awaitEvent(e.id(), ev -> ev.get("deliveries").size() == 2
                && ev.get("deliveries").get(1).get("status").asText().equals("delivered"), Duration.ofSeconds(5));

        assertEquals(404, shared.gw().http.post("/v1/events/evt_nope/redeliver", API_KEY, "").status());
        Reply other = shared.gw().http.post("/v1/customers", OPERATOR_KEY, "{\"name\":\"Other\"}");
        String otherKey = other.data().get("api_key").asText();
        assertEquals(404, shared.gw().http.get("/v1/events/" + e.id(), otherKey).status());
        assertEquals(404, shared.gw().http.post("/v1/events/" + e.id() + "/redeliver", otherKey, "").status());
        assertFalse(shared.gw().http.get("/v1/events", otherKey).body().contains(e.id()));
    }
}
