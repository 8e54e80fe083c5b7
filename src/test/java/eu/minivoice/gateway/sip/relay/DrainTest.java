package eu.minivoice.gateway.sip.relay;

import com.fasterxml.jackson.databind.JsonNode;
import eu.minivoice.gateway.support.Await;
import eu.minivoice.gateway.support.FreePorts;
import eu.minivoice.gateway.support.RawSip;
import eu.minivoice.gateway.support.Sipp;
import eu.minivoice.gateway.support.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static eu.minivoice.gateway.support.TestGateway.API_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM drains (docs/operations.md): /health 503 "draining" and 503 with Retry-After for new
 * INVITEs on both sides at once; a live call goes on until shutdown.drain_seconds, then both legs
 * get a BYE and the record ends with reason "drain".
 */
class DrainTest {
    private static final String NUMBER = "+15551230081";

    @Test
    void aStoppingGatewayRefusesNewCallsAndHangsUpLiveOnesAtTheEndOfTheDrain(@TempDir Path data) throws Exception {
        Map<String, String> env = TestGateway.env(data);
        env.put("MINIVOICE_SHUTDOWN_DRAIN_SECONDS", "4");
        String callId;
        TestGateway gw = TestGateway.start(data, env);
        try {
            int carrierPort = FreePorts.next();
            assertEquals(201, gw.http.post("/v1/trunks", API_KEY, "{\"name\":\"drain\",\"proxy\":\"127.0.0.1:"
                    + carrierPort + "\",\"register\":false,\"inbound_ip\":\"127.0.0.1\"}").status());
            assertEquals(201, gw.http.post("/v1/numbers", API_KEY, "{\"number\":\"+15551230001\"}").status());
            try (Sipp carrier = Sipp.startOnPort("carrier-uas-answer.xml", carrierPort);
                 Sipp platform = Sipp.start("platform-uac-call-drained.xml", "127.0.0.1:" + gw.sipInternalPort(),
                         "-key", "customer", "cust_default", "-key", "to", NUMBER, "-key", "from", "+15551230001")) {
                callId = gw.awaitCallEvent("call.answered", NUMBER).get("call").get("id").asText();

                long stopping = System.nanoTime();
                Thread stop = new Thread(gw::close, "test-sigterm");
                stop.start();
                JsonNode health = Await.until("/health draining", () -> gw.http.get("/health", null).json(),
                        h -> "draining".equals(h.path("status").asText()), Duration.ofSeconds(2));
                assertEquals("draining", health.get("status").asText());
                assertEquals(503, gw.http.get("/health", null).status());

                // New calls on both sides: 503 with Retry-After, at once.
                String platformAnswer = RawSip.send(RawSip.platformInvite(h -> h), gw.sipInternalPort());
                assertNotNull(platformAnswer, "the platform's new INVITE is answered");
                assertTrue(platformAnswer.startsWith("SIP/2.0 503"), platformAnswer);
                assertTrue(platformAnswer.contains("Retry-After: 4"), platformAnswer);
                eu.minivoice.gateway.support.Http.Reply placed = gw.http.post("/v1/calls", API_KEY,
                        "{\"to\":\"+15551230082\",\"from\":\"+15551230001\",\"connect_to\":\"sip:a@127.0.0.1:5999\"}");
                assertEquals(503, placed.status(), "no call is placed through the API either: " + placed.body());
                assertEquals("draining", placed.errorCode());
                assertEquals("4", placed.headers().firstValue("Retry-After").orElse(null));
                String carrierAnswer = RawSip.send(RawSip.platformInvite(h -> h.replace("X-MiniVoice-Customer-Id",
                        "X-Other")), gw.sipExternalPort());
                assertNotNull(carrierAnswer, "a carrier's new INVITE is answered");
                assertTrue(carrierAnswer.startsWith("SIP/2.0 503"), carrierAnswer);

                // The live call went on during the drain, and both legs got a BYE at its end.
                Sipp.Result p = platform.await();
                assertEquals(0, p.exitCode(), "the platform leg got the gateway's BYE:\n" + p.output());
                Sipp.Result c = carrier.await();
                assertEquals(0, c.exitCode(), "the carrier leg got the gateway's BYE:\n" + c.output());
                long tookMs = Duration.ofNanos(System.nanoTime() - stopping).toMillis();
                assertTrue(tookMs >= 3_500, "the call was kept up for the drain: BYEs after " + tookMs + " ms");
                stop.join(15_000);
            }
        } finally {
            gw.close();
        }
        // The record, as the next start of the same gateway serves it.
        try (TestGateway again = TestGateway.start(data, env)) {
            JsonNode rec = again.http.get("/v1/calls/" + callId, API_KEY).data();
            assertEquals("completed", rec.get("status").asText(), rec.toString());
            assertEquals("drain", rec.get("reason").asText(), rec.toString());
            assertEquals("gateway", rec.get("hangup_side").asText(), rec.toString());
            assertEquals("draining", rec.get("error_code").asText(), rec.toString());
        }
    }
}
