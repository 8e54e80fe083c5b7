package eu.minivoice.gateway.events;

import com.fasterxml.jackson.databind.JsonNode;
import eu.minivoice.gateway.domain.CallInfo;
import eu.minivoice.gateway.domain.StoredEvent;
import eu.minivoice.gateway.support.Await;
import eu.minivoice.gateway.support.TestApplications;
import eu.minivoice.gateway.support.TestGateway;
import eu.minivoice.gateway.support.WebhookReceiver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static eu.minivoice.gateway.support.TestGateway.API_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Delivery checks the address it actually connects to, not what was checked when the URL was
 * saved: a URL saved while loopback was allowed is refused at connect once the policy no longer
 * allows it (the same path a DNS name that later resolves to a private address takes).
 */
class WebhookTargetRefusedTest {
    @Test
    void theAddressConnectedToIsCheckedAtDeliveryTime(@TempDir Path dir) throws Exception {
        Map<String, String> env = TestGateway.env(dir);
        env.put("MINIVOICE_WEBHOOKS_BACKOFF_MIN_MS", "100");
        env.put("MINIVOICE_WEBHOOKS_BACKOFF_MAX_SECONDS", "1");
        String app;
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            try (TestGateway first = TestGateway.start(dir, env)) {
                app = new TestApplications(first.http, API_KEY).create("\"webhook_url\":\"" + receiver.url("/hook") + "\"");
            }
            env.remove("MINIVOICE_SECURITY_ALLOWED_PRIVATE_CIDRS");
            try (TestGateway strict = TestGateway.start(dir, env)) {
                CallInfo call = new CallInfo("call_refused01", "cust_default", app, "trunk_x", "ringing", "inbound",
                        "+15551230001", "+15551230002");
                StoredEvent e = strict.gateway().callEvents().event("call.ringing", call, Map.of(), Map.of(), Instant.now());
                assertTrue(strict.gateway().outbox().publish(e));
                JsonNode d = Await.until("a refused delivery attempt", () -> {
                    JsonNode ev = strict.http.get("/v1/events/" + e.id(), API_KEY).data();
                    return ev == null || ev.get("deliveries").isEmpty() ? null : ev.get("deliveries").get(0);
                }, x -> x.get("attempts").asInt() >= 1, Duration.ofSeconds(5));
                assertTrue(d.get("last_error").asText().contains("address refused: 127.0.0.1 is a loopback address"),
                        d.toString());
                Thread.sleep(300);
                assertEquals(0, receiver.received().size(), "nothing reached the loopback receiver");
            }
        }
    }
}
