package eu.minivoice.gateway.sip.registration;

import com.fasterxml.jackson.databind.JsonNode;
import eu.minivoice.gateway.support.FreePorts;
import eu.minivoice.gateway.support.Http.Reply;
import eu.minivoice.gateway.support.Sipp;
import eu.minivoice.gateway.support.SharedGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static eu.minivoice.gateway.support.TestGateway.API_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** OPTIONS keep-alive health and the readiness test against SIPp playing the carrier proxy. */
class TrunkHealthScenarioTest {
    /** Short ping timeout and a low DOWN threshold, so health changes within seconds. */
    @RegisterExtension
    static final SharedGateway shared = new SharedGateway(env -> {
        env.put("MINIVOICE_REGISTRATION_PING_TIMEOUT_SECONDS", "1");
        env.put("MINIVOICE_REGISTRATION_PING_DOWN_AFTER", "2");
    });

    private static String health(String id) {
        return shared.gw().http.get("/v1/trunks/" + id, API_KEY).data().get("health").asText();
    }

    private static void await(String id, String expected, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (health(id).equals(expected)) {
                return;
            }
            Thread.sleep(100);
        }
        fail("health never became " + expected + " (is " + health(id) + ")");
    }

    @Test
    void pingsMarkATrunkUpThenDownWhenTheProxyStopsAnswering() throws Exception {
        try (Sipp proxy = Sipp.start("carrier-options-200.xml", null)) {
            Reply r = shared.gw().http.post("/v1/trunks", API_KEY, "{\"name\":\"pinged\",\"proxy\":\"127.0.0.1:" + proxy.port
                    + "\",\"inbound_ip\":\"127.0.0.1\",\"ping_interval\":5}");
            String id = r.data().get("id").asText();
            await(id, "UP", Duration.ofSeconds(5));
            assertEquals(0, proxy.await().exitCode()); // answered one ping, then gone
            await(id, "DOWN", Duration.ofSeconds(20));
            StringBuilder seen = new StringBuilder();
            for (JsonNode e : shared.gw().http.get("/v1/events?type=trunk.health_changed", API_KEY).data()) {
                if (e.get("trunk").get("id").asText().equals(id)) {
                    seen.insert(0, e.get("data").get("health").asText() + " ");
                }
            }
            assertEquals("UP DOWN ", seen.toString());
        }
    }

    @Test
    void theReadinessTestReportsAReachableReadyTrunk() throws Exception {
        try (Sipp proxy = Sipp.start("carrier-options-200.xml", null)) {
            String id = shared.gw().http.post("/v1/trunks", API_KEY, "{\"name\":\"ready\",\"proxy\":\"127.0.0.1:" + proxy.port
                    + "\",\"inbound_ip\":\"127.0.0.1\"}").data().get("id").asText();
            JsonNode report = shared.gw().http.post("/v1/trunks/" + id + "/test", API_KEY, null).data();
            assertTrue(report.get("ready").asBoolean(), report.toString());
            assertEquals(200, report.get("options").get("sip_status").asInt());
            assertTrue(report.get("options").get("rtt_ms").isNumber());
            assertEquals("NOREG", report.get("registration_status").asText());
            assertEquals(0, report.get("warnings").size(), report.toString());
            assertEquals(0, proxy.await().exitCode());
        }
    }

    @Test
    void theReadinessTestExplainsWhatIsWrong() {
        String id = shared.gw().http.post("/v1/trunks", API_KEY, "{\"name\":\"broken\",\"proxy\":\"127.0.0.1:" + FreePorts.next()
                + "\",\"direction\":\"inbound\"}").data().get("id").asText();
        JsonNode report = shared.gw().http.post("/v1/trunks/" + id + "/test", API_KEY, null).data();
        assertFalse(report.get("ready").asBoolean());
        assertFalse(report.get("options").get("reachable").asBoolean());
        String warnings = report.get("warnings").toString();
        assertTrue(warnings.contains("did not answer OPTIONS"), warnings);
        assertTrue(warnings.contains("inbound calls cannot be matched"), warnings);
        assertEquals(404, shared.gw().http.post("/v1/trunks/trunk_nope/test", API_KEY, null).status());
    }
}
