package eu.minivoice.gateway.sip.relay;

import com.fasterxml.jackson.databind.JsonNode;
import eu.minivoice.gateway.support.Await;
import eu.minivoice.gateway.support.FreePorts;
import eu.minivoice.gateway.support.Http.Reply;
import eu.minivoice.gateway.support.SharedGateway;
import eu.minivoice.gateway.support.Sipp;
import eu.minivoice.gateway.support.TestGateway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import static eu.minivoice.gateway.support.TestGateway.API_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * POST /v1/calls and DELETE /v1/calls/{id} end to end (docs/calls.md): real HTTP calls to the
 * API, SIPp playing the carrier (UAS behind a trunk) and the platform URI (UAS at connect_to) on
 * loopback. Each flow checks both SIPp verdicts, the call record and the events.
 */
class ThirdPartyCallScenarioTest {
    @RegisterExtension
    static final SharedGateway shared = new SharedGateway(env -> env.put("MINIVOICE_RELAY_INVITE_TIMEOUT_MS", "1000"));
    private static final String FROM = "+15551230001";
    private final List<String> trunks = new ArrayList<>();

    @BeforeAll
    static void callerId() {
        Reply r = shared.gw().http.post("/v1/numbers", API_KEY, "{\"number\":\"" + FROM + "\"}");
        assertEquals(201, r.status(), r.body());
    }

    @AfterEach
    void deleteTrunks() {
        trunks.forEach(id -> shared.gw().http.delete("/v1/trunks/" + id, API_KEY));
    }

    private String trunk(int carrierPort) {
        Reply r = shared.gw().http.post("/v1/trunks", API_KEY, "{\"name\":\"3pcc-" + carrierPort
                + "\",\"proxy\":\"127.0.0.1:" + carrierPort + "\",\"direction\":\"outbound\"}");
        assertEquals(201, r.status(), r.body());
        trunks.add(r.data().get("id").asText());
        return r.data().get("id").asText();
    }

    private static Reply place(String to, int platformPort) {
        return shared.gw().http.post("/v1/calls", API_KEY, "{\"to\":\"" + to + "\",\"from\":\"" + FROM
                + "\",\"connect_to\":\"sip:agent@127.0.0.1:" + platformPort + "\"}");
    }

    private static String placed(String to, int platformPort) {
        Reply r = place(to, platformPort);
        assertEquals(201, r.status(), r.body());
        assertEquals("initiated", r.data().get("status").asText());
        assertEquals("outbound", r.data().get("direction").asText());
        return r.data().get("id").asText();
    }

    private static JsonNode awaitRecord(String callId, Predicate<JsonNode> ok) {
        return Await.until("call record " + callId, () -> {
            Reply r = shared.gw().http.get("/v1/calls/" + callId, API_KEY);
            return r.status() == 200 ? r.data() : null;
        }, ok, Duration.ofSeconds(10));
    }

    private static void passed(Sipp sipp) throws Exception {
        Sipp.Result r = sipp.await();
        assertEquals(0, r.exitCode(), r.output());
    }

    /**
     * A call to {@code to} placed with SIPp playing the carrier and the platform; both must pass.
     * @return its record once it has {@code finalStatus}
     */
    private JsonNode callBetween(String carrierScenario, String platformScenario, String to, String finalStatus)
            throws Exception {
        int carrierPort = FreePorts.next();
        int platformPort = FreePorts.next();
        String trunk = trunk(carrierPort);
        try (Sipp carrier = Sipp.startOnPort(carrierScenario, carrierPort);
             Sipp platform = Sipp.startOnPort(platformScenario, platformPort)) {
            String id = placed(to, platformPort);
            Reply now = shared.gw().http.get("/v1/calls/" + id, API_KEY);
            assertEquals(200, now.status(), "a call in progress is there at once: " + now.body());
            passed(platform);
            passed(carrier);
            JsonNode rec = awaitRecord(id, n -> n.get("status").asText().equals(finalStatus));
            assertEquals(trunk, rec.get("trunk_id").asText());
            assertEquals(2, rec.get("attempts").size(), rec.toString());
            assertEquals("sip:agent@127.0.0.1:" + platformPort, rec.get("attempts").get(1).get("target").asText());
            return rec;
        }
    }

    @Test
    void anAnsweredCallIsConnectedAndThePlatformHangsUp() throws Exception {
        JsonNode rec = callBetween("carrier-uas-3pcc-answer.xml", "platform-uas-3pcc-answer-then-bye.xml",
                "+15551230401", "completed");
        assertEquals("platform", rec.get("hangup_side").asText());
        assertEquals(FROM, rec.get("from").asText());
        assertEquals("+15551230401", rec.get("to").asText());
        assertEquals(200, rec.get("attempts").get(1).get("sip_code").asInt());
        assertTrue(rec.get("answered_at").isTextual());
        JsonNode initiated = shared.gw().awaitCallEvent("call.initiated", "+15551230401");
        assertTrue(initiated.get("data").get("connect_to").asText().startsWith("sip:agent@127.0.0.1:"));
        shared.gw().awaitCallEvent("call.ringing", "+15551230401");
        shared.gw().awaitCallEvent("call.answered", "+15551230401");
        assertEquals("platform", shared.gw().awaitCallEvent("call.completed", "+15551230401")
                .get("data").get("hangup_side").asText());
    }

    @Test
    void theCarrierHangsUpAConnectedCall() throws Exception {
        JsonNode rec = callBetween("carrier-uas-3pcc-answer-then-bye.xml", "platform-uas-3pcc-answer.xml",
                "+15551230402", "completed");
        assertEquals("carrier", rec.get("hangup_side").asText());
    }

    @Test
    void aPlatformThatRefusesEndsTheAnsweredCarrierLeg() throws Exception {
        JsonNode rec = callBetween("carrier-uas-3pcc-declined.xml", "platform-uas-486.xml", "+15551230405", "failed");
        assertEquals("connect_failed", rec.get("error_code").asText());
        assertEquals("gateway", rec.get("hangup_side").asText());
        assertEquals(486, rec.get("attempts").get(1).get("sip_code").asInt());
    }

    @Test
    void deleteHangsUpBothLegsOfAConnectedCall() throws Exception {
        int carrierPort = FreePorts.next();
        int platformPort = FreePorts.next();
        trunk(carrierPort);
        try (Sipp carrier = Sipp.startOnPort("carrier-uas-3pcc-answer.xml", carrierPort);
             Sipp platform = Sipp.startOnPort("platform-uas-3pcc-answer.xml", platformPort)) {
            String id = placed("+15551230403", platformPort);
            // Connected once the platform's answer is in: its attempt joins the record.
            awaitRecord(id, n -> n.get("attempts").size() == 2);
            Reply other = shared.gw().http.post("/v1/customers", TestGateway.OPERATOR_KEY, "{\"name\":\"Other 3pcc\"}");
            String otherKey = other.data().get("api_key").asText();
            assertEquals(404, shared.gw().http.delete("/v1/calls/" + id, otherKey).status(),
                    "another customer can neither see nor end the call");
            Reply deleted = shared.gw().http.delete("/v1/calls/" + id, API_KEY);
            assertEquals(204, deleted.status(), deleted.body());
            passed(carrier);
            passed(platform);
            JsonNode rec = awaitRecord(id, n -> n.get("status").asText().equals("completed"));
            assertEquals("api", rec.get("hangup_side").asText());
            Reply again = shared.gw().http.delete("/v1/calls/" + id, API_KEY);
            assertEquals(409, again.status(), again.body());
        }
        assertEquals("api_request", shared.gw().awaitCallEvent("call.completed", "+15551230403")
                .get("data").get("hangup_cause").asText());
    }

    @Test
    void aBusyCarrierFailsTheCallWithoutCallingThePlatform() throws Exception {
        int carrierPort = FreePorts.next();
        trunk(carrierPort);
        try (Sipp carrier = Sipp.startOnPort("carrier-uas-486.xml", carrierPort)) {
            String id = placed("+15551230404", FreePorts.next());
            passed(carrier);
            JsonNode rec = awaitRecord(id, n -> n.get("status").asText().equals("busy"));
            assertEquals(486, rec.get("sip_code").asInt());
            assertEquals(1, rec.get("attempts").size(), "the platform was never called");
        }
        assertEquals("busy", shared.gw().awaitCallEvent("call.failed", "+15551230404").get("data").get("reason").asText());
    }

    @Test
    void deleteWhileTheCarrierRingsCancelsIt() throws Exception {
        int carrierPort = FreePorts.next();
        trunk(carrierPort);
        try (Sipp carrier = Sipp.startOnPort("carrier-uas-ring-then-cancel.xml", carrierPort)) {
            String id = placed("+15551230406", FreePorts.next());
            awaitRecord(id, n -> n.get("status").asText().equals("ringing"));
            assertEquals(204, shared.gw().http.delete("/v1/calls/" + id, API_KEY).status());
            passed(carrier);
            JsonNode rec = awaitRecord(id, n -> n.get("status").asText().equals("canceled"));
            assertEquals("api", rec.get("hangup_side").asText());
        }
    }

    @Test
    void refusalsAnswerBeforeAnythingIsSent() {
        int platformPort = FreePorts.next();
        Reply noTrunk = place("+15551230407", platformPort);
        assertEquals(409, noTrunk.status(), noTrunk.body());
        assertEquals("no_active_trunk", noTrunk.errorCode());
        trunk(FreePorts.next());
        Reply notOurs = shared.gw().http.post("/v1/calls", API_KEY, "{\"to\":\"+15551230407\",\"from\":\"+15550000000\","
                + "\"connect_to\":\"sip:agent@127.0.0.1:" + platformPort + "\"}");
        assertEquals(403, notOurs.status(), notOurs.body());
        assertEquals("caller_id_not_verified", notOurs.errorCode());
        assertEquals("from", notOurs.errorField());
        Reply bad = shared.gw().http.post("/v1/calls", API_KEY, "{\"to\":\"12\",\"from\":\"x\",\"connect_to\":"
                + "\"http://example.com\",\"colour\":\"red\"}");
        assertEquals(422, bad.status(), bad.body());
        for (String field : new String[] {"to", "from", "connect_to", "colour"}) {
            assertTrue(bad.body().contains("\"field\":\"" + field + "\""), field + " named: " + bad.body());
        }
        Reply missing = shared.gw().http.post("/v1/calls", API_KEY, "{}");
        assertEquals(422, missing.status());
        Reply hostile = shared.gw().http.post("/v1/calls", API_KEY, "{\"to\":\"+15551230407\",\"from\":\"" + FROM
                + "\",\"connect_to\":\"sip:agent@169.254.169.254\"}");
        assertEquals(422, hostile.status(), "a platform URI at a special address is refused: " + hostile.body());
        assertEquals("connect_to", hostile.errorField());
        Reply tls = shared.gw().http.post("/v1/calls", API_KEY, "{\"to\":\"+15551230407\",\"from\":\"" + FROM
                + "\",\"connect_to\":\"sip:agent@127.0.0.1:" + platformPort + ";transport=TLS\"}");
        assertEquals(422, tls.status(), "the platform side has no TLS: " + tls.body());
        Reply pinned = shared.gw().http.post("/v1/calls", API_KEY, "{\"to\":\"+15551230407\",\"from\":\"" + FROM
                + "\",\"connect_to\":\"sip:agent@127.0.0.1:" + platformPort + "\",\"trunk\":\"no-such-trunk\"}");
        assertEquals(409, pinned.status(), pinned.body());
        assertEquals(400, shared.gw().http.post("/v1/calls", API_KEY, "{not json").status());
        assertEquals(404, shared.gw().http.delete("/v1/calls/call_doesnotexist00", API_KEY).status());
        assertEquals(401, shared.gw().http.post("/v1/calls", null, "{}").status());
        Reply list = shared.gw().http.get("/v1/calls?to=%2B15551230407", API_KEY);
        assertEquals(0, list.data().size(), "a refused placement leaves no call behind");
        assertFalse(list.body().contains("initiated"));
        assertNotNull(list.json());
    }
}
