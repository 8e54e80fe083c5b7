package eu.minivoice.gateway.events;

import com.fasterxml.jackson.databind.JsonNode;
import eu.minivoice.gateway.Main;
import eu.minivoice.gateway.support.Await;
import eu.minivoice.gateway.support.FreePorts;
import eu.minivoice.gateway.support.Http;
import eu.minivoice.gateway.support.TestGateway;
import eu.minivoice.gateway.support.WebhookReceiver;
import eu.minivoice.gateway.support.WebhookReceiver.Answer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The durable outbox across {@code kill -9}: a real gateway process is killed while deliveries
 * are pending; the restarted process delivers them, and nothing confirmed with a 2xx before the
 * kill is delivered again.
 */
class OutboxRestartTest {
    private static final String KEY = "restart-test-key-0123456789";

    @TempDir
    Path dir;

    private Process launch(int adminPort) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("out.log").toFile()));
        pb.environment().keySet().removeIf(k -> k.startsWith("MINIVOICE_"));
        pb.environment().put("MINIVOICE_DATA_DIR", dir.resolve("data").toString());
        pb.environment().put("MINIVOICE_ADMIN_PORT", Integer.toString(adminPort));
        pb.environment().put("MINIVOICE_SIP_EXTERNAL_PORT", Integer.toString(FreePorts.next()));
        pb.environment().put("MINIVOICE_SIP_INTERNAL_PORT", Integer.toString(FreePorts.next()));
        pb.environment().put("MINIVOICE_API_KEY", KEY);
        pb.environment().put("MINIVOICE_SECURITY_ALLOWED_PRIVATE_CIDRS", TestGateway.LOOPBACK_TARGETS);
        pb.environment().put("MINIVOICE_WEBHOOKS_BACKOFF_MIN_MS", "200");
        pb.environment().put("MINIVOICE_WEBHOOKS_BACKOFF_MAX_SECONDS", "1");
        Process p = pb.start();
        Http http = new Http("http://127.0.0.1:" + adminPort);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (http.get("/health", null).status() == 200) {
                    return p;
                }
            } catch (RuntimeException notYet) {
                // not listening yet
            }
            if (!p.isAlive()) {
                fail("gateway exited: " + Files.readString(dir.resolve("out.log")));
            }
            Thread.sleep(100);
        }
        p.destroyForcibly();
        fail("gateway not ready: " + Files.readString(dir.resolve("out.log")));
        return p;
    }

    /** Event ids of the trunk's events and their delivery states, from GET /v1/events. */
    private static Map<String, String> deliveryStates(Http http, String trunkId) {
        Map<String, String> out = new HashMap<>();
        for (JsonNode e : http.get("/v1/events?limit=1000", KEY).data()) {
            if (e.has("trunk") && e.get("trunk").get("id").asText().equals(trunkId)) {
                JsonNode ds = e.get("deliveries");
                out.put(e.get("id").asText(), ds.isEmpty() ? "none" : ds.get(0).get("status").asText()
                        + "/" + ds.get(0).get("attempts").asInt());
            }
        }
        return out;
    }

    private static Map<String, String> await(Http http, String trunkId, Predicate<Map<String, String>> ok) {
        return Await.until("deliveries of " + trunkId, () -> deliveryStates(http, trunkId),
                m -> !m.isEmpty() && ok.test(m), Duration.ofSeconds(15));
    }

    @Test
    void pendingDeliveriesSurviveKill9AndConfirmedOnesAreNotRepeated() throws Exception {
        int adminPort = FreePorts.next();
        Process first = null;
        Process second = null;
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            first = launch(adminPort);
            Http http = new Http("http://127.0.0.1:" + adminPort);
            assertEquals(200, http.patch("/v1/account", KEY, "{\"events_url\":\"" + receiver.url("/events") + "\"}")
                    .status());

            // Phase 1: the receiver answers 200; wait until the gateway has recorded every delivery.
            String t1 = http.post("/v1/trunks", KEY, "{\"name\":\"r1\",\"proxy\":\"127.0.0.1:" + FreePorts.next()
                    + "\",\"username\":\"u\",\"password\":\"p\"}").data().get("id").asText();
            Map<String, String> confirmed = await(http, t1, m -> m.values().stream().allMatch(s -> s.startsWith("delivered")));

            // Phase 2: the receiver fails with 503; new events stay pending with attempts made.
            receiver.respond(r -> Answer.of(503));
            String t2 = http.post("/v1/trunks", KEY, "{\"name\":\"r2\",\"proxy\":\"127.0.0.1:" + FreePorts.next()
                    + "\",\"username\":\"u\",\"password\":\"p\"}").data().get("id").asText();
            Map<String, String> pending = await(http, t2, m -> m.values().stream().allMatch(s -> s.startsWith("pending/")
                    && !s.equals("pending/0")));

            first.destroyForcibly(); // SIGKILL: no shutdown hook, no flush
            assertTrue(first.waitFor(10, TimeUnit.SECONDS));
            receiver.respond(r -> Answer.of(200));
            int before = receiver.received().size();

            second = launch(adminPort);
            await(http, t2, m -> pending.keySet().stream().allMatch(id -> m.get(id).startsWith("delivered")));
            for (String id : pending.keySet()) {
                assertTrue(receiver.received(r -> r.body().contains(id) && r.header("X-MiniVoice-Signature") != null)
                        .size() >= 2, "pending event " + id + " delivered after the restart");
            }
            Thread.sleep(1_500); // time for any wrong re-sends to show up
            List<WebhookReceiver.Received> after = receiver.received().subList(before, receiver.received().size());
            for (String id : confirmed.keySet()) {
                assertEquals(1, receiver.received(r -> r.body().contains("\"id\":\"" + id + "\"")).size(),
                        "event " + id + " was confirmed with 200 before the kill and must not be sent again");
                assertFalse(after.stream().anyMatch(r -> r.body().contains("\"id\":\"" + id + "\"")));
            }
            Set<String> deliveryIds = new HashSet<>();
            List<String> ids = new ArrayList<>();
            receiver.received(r -> pending.keySet().stream().anyMatch(id -> r.body().contains(id)))
                    .forEach(r -> {
                        deliveryIds.add(r.header("X-MiniVoice-Delivery"));
                        ids.add(r.header("X-MiniVoice-Delivery"));
                    });
            assertEquals(pending.size(), deliveryIds.size(), "retries after the restart keep the delivery id: " + ids);
        } finally {
            for (Process p : new Process[] {first, second}) {
                if (p != null) {
                    p.destroy();
                    if (!p.waitFor(15, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                }
            }
        }
    }
}
