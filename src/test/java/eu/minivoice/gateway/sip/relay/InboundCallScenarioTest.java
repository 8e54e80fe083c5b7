package eu.minivoice.gateway.sip.relay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import eu.minivoice.gateway.support.Await;
import eu.minivoice.gateway.support.FreePorts;
import eu.minivoice.gateway.support.Http.Reply;
import eu.minivoice.gateway.support.SharedGateway;
import eu.minivoice.gateway.support.Sipp;
import eu.minivoice.gateway.support.TestApplications;
import eu.minivoice.gateway.support.WebhookReceiver;
import eu.minivoice.gateway.support.WebhookReceiver.Answer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static eu.minivoice.gateway.support.TestGateway.API_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/product.md §5/§6 end to end: SIPp plays the carrier (UAC from the loopback alias 127.0.0.2, a trunk's
 * inbound_ip) and the platform (UAS); an in-test webhook receiver answers call.initiated with the
 * actions each test needs (keyed by the dialled number).
 */
class InboundCallScenarioTest {
    @RegisterExtension
    static final SharedGateway shared = new SharedGateway(env -> {
        env.put("MINIVOICE_RELAY_INVITE_TIMEOUT_MS", "1000");
        env.put("MINIVOICE_WEBHOOKS_ACTION_TIMEOUT_MS", "1000");
    });
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CARRIER = "127.0.0.2";
    private static final Map<String, String> actionsByNumber = new ConcurrentHashMap<>();
    private static WebhookReceiver webhook;
    private static TestApplications apps;
    private static String trunk;

    @BeforeAll
    static void carrierTrunkAndApplications() throws Exception {
        webhook = new WebhookReceiver();
        webhook.respond(r -> {
            try {
                String to = JSON.readTree(r.body()).get("call").get("to").asText();
                String actions = actionsByNumber.get(to);
                if (actions != null && actions.startsWith("SLOW:")) { // answers after the action timeout
                    return new Answer(200, actions.substring(5), Map.of("Content-Type", "application/json"),
                            Duration.ofSeconds(3));
                }
                return actions == null ? Answer.of(204) : Answer.json(actions);
            } catch (Exception e) {
                return Answer.of(500);
            }
        });
        apps = new TestApplications(shared.gw().http, API_KEY);
        String trunkApp = apps.create("\"webhook_url\":\"" + webhook.url("/trunk-app") + "\"");
        String didApp = apps.create("\"webhook_url\":\"" + webhook.url("/did-app") + "\"");
        String deadApp = apps.create("\"webhook_url\":\"http://127.0.0.1:" + FreePorts.next() + "/down\"");
        Reply t = shared.gw().http.post("/v1/trunks", API_KEY, "{\"name\":\"inbound-carrier\",\"proxy\":\"" + CARRIER
                + "\",\"inbound_ip\":\"" + CARRIER + "\",\"application_id\":\"" + trunkApp + "\"}");
        assertEquals(201, t.status(), t.body());
        trunk = t.data().get("id").asText();
        number("+15551230020", didApp);
        number("+15551230029", deadApp);
    }

    private static void number(String e164, String app) {
        Reply r = shared.gw().http.post("/v1/numbers", API_KEY, "{\"number\":\"" + e164 + "\",\"application_id\":\""
                + app + "\"}");
        assertEquals(201, r.status(), r.body());
    }

    /** An outbound-only trunk to a local carrier, and a DID (routed by the inbound trunk's application). */
    private static String outboundTrunkAndDid(String name, int carrierPort, String did) {
        Reply t = shared.gw().http.post("/v1/trunks", API_KEY, "{\"name\":\"" + name + "\",\"proxy\":\"127.0.0.1:"
                + carrierPort + "\",\"direction\":\"outbound\"}");
        assertEquals(201, t.status(), t.body());
        assertEquals(201, shared.gw().http.post("/v1/numbers", API_KEY, "{\"number\":\"" + did + "\"}").status());
        return t.data().get("id").asText();
    }

    @AfterAll
    static void stopWebhook() {
        webhook.close();
    }

    private static String ext() {
        return "127.0.0.1:" + shared.gw().sipExternalPort();
    }

    private static Sipp.Result carrierCall(String scenario, String to) throws Exception {
        return Sipp.run(scenario, ext(), "-i", CARRIER, "-key", "to", to);
    }

    /**
     * A carrier call to {@code number} whose webhook answers {@code actions} (with PORT standing
     * for the platform's port), the platform played by {@code platformScenario}; both must pass.
     */
    private static void forwardedCall(String number, String actions, String platformScenario, String carrierScenario)
            throws Exception {
        int platformPort = FreePorts.next();
        actionsByNumber.put(number, actions.replace("PORT", Integer.toString(platformPort)));
        try (Sipp platform = Sipp.startOnPort(platformScenario, platformPort)) {
            Sipp.Result carrier = carrierCall(carrierScenario, number);
            assertEquals(0, carrier.exitCode(), carrier.output());
            Sipp.Result p = platform.await();
            assertEquals(0, p.exitCode(), p.output());
        }
    }

    private static String forward(String extra) {
        return "{\"actions\":[" + extra + "{\"type\":\"forward\",\"to\":\"sip:agent@127.0.0.1:PORT\",\"timeout\":10}]}";
    }

    @Test
    void aForwardedCallIsAnsweredByThePlatformAndTheCarrierHangsUp() throws Exception {
        forwardedCall("+15551230021", forward("{\"type\":\"set\",\"variables\":{\"tier\":\"gold\"}},"),
                "platform-uas-inbound-answer.xml", "carrier-uac-inbound-call.xml");
        JsonNode done = shared.gw().awaitCallEvent("call.completed", "+15551230021");
        assertEquals("inbound", done.get("call").get("direction").asText());
        assertEquals(trunk, done.get("call").get("trunk_id").asText());
        assertEquals("carrier", done.get("data").get("hangup_side").asText());
        assertEquals("gold", done.get("variables").get("tier").asText(), "set variables travel in later events");
        assertEquals("gold", shared.gw().awaitCallEvent("call.answered", "+15551230021").get("variables").get("tier").asText());
        String callId = done.get("call").get("id").asText();
        JsonNode rec = Await.until("record", () -> {
            Reply r = shared.gw().http.get("/v1/calls/" + callId, API_KEY);
            return r.status() == 200 ? r.data() : null;
        }, n -> n.get("status").asText().equals("completed"), Duration.ofSeconds(5));
        assertEquals("inbound", rec.get("direction").asText());
        assertTrue(rec.get("sip_call_ids").get("platform").isTextual() && rec.get("sip_call_ids").get("carrier").isTextual());
        // The webhook was asked with call.initiated, signed, routed by the trunk's application.
        WebhookReceiver.Received asked = webhook.received(r -> r.body().contains("+15551230021")
                && r.body().contains("call.initiated")).get(0);
        assertEquals("/trunk-app", asked.path());
        assertTrue(asked.body().contains("\"route\":\"trunk\""), asked.body());
    }

    @Test
    void aCallCarriedOverTcpOnBothLegs() throws Exception {
        int platformPort = FreePorts.next();
        actionsByNumber.put("+15551230050", "{\"actions\":[{\"type\":\"forward\",\"to\":\"sip:agent@127.0.0.1:"
                + platformPort + ";transport=tcp\",\"timeout\":10}]}");
        try (Sipp platform = Sipp.startOnPort("platform-uas-inbound-answer.xml", platformPort, "-t", "t1")) {
            Sipp.Result carrier = Sipp.run("carrier-uac-inbound-call.xml", ext(), "-i", CARRIER, "-key", "to",
                    "+15551230050", "-t", "t1");
            assertEquals(0, carrier.exitCode(), carrier.output());
            Sipp.Result p = platform.await();
            assertEquals(0, p.exitCode(), p.output());
        }
        JsonNode done = shared.gw().awaitCallEvent("call.completed", "+15551230050");
        assertEquals(trunk, done.get("call").get("trunk_id").asText(), "matched by the TCP connection's source address");
        assertEquals("carrier", done.get("data").get("hangup_side").asText());
    }

    /**
     * RFC 3261 §18.2.2: the carrier closes its TCP connection while the gateway is still deciding
     * (a slow webhook); the final answer comes over a new connection to its Via's sent-by port.
     */
    @Test
    void aFinalAnswerAfterTheCarrierClosedItsConnectionComesOnANewOne() throws Exception {
        actionsByNumber.put("+15551230053", "SLOW:" + forward(""));
        try (java.net.ServerSocket sentBy = new java.net.ServerSocket(0, 5, java.net.InetAddress.getByName(CARRIER))) {
            sentBy.setSoTimeout(10_000);
            int viaPort = sentBy.getLocalPort();
            String invite = "INVITE sip:+15551230053@" + ext() + " SIP/2.0\r\n"
                    + "Via: SIP/2.0/TCP " + CARRIER + ":" + viaPort + ";branch=z9hG4bK-reopen-1\r\n"
                    + "From: <sip:+15559990001@" + CARRIER + ">;tag=reopen\r\n"
                    + "To: <sip:+15551230053@" + ext() + ">\r\n"
                    + "Call-ID: reopen-1@carrier\r\nCSeq: 1 INVITE\r\n"
                    + "Contact: <sip:carrier@" + CARRIER + ":" + viaPort + ";transport=tcp>\r\n"
                    + "Max-Forwards: 70\r\nContent-Type: application/sdp\r\n";
            String sdp = "v=0\r\no=carrier 1 1 IN IP4 " + CARRIER + "\r\ns=-\r\nc=IN IP4 " + CARRIER
                    + "\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n";
            try (java.net.Socket first = new java.net.Socket()) {
                first.bind(new java.net.InetSocketAddress(CARRIER, 0));
                first.connect(new java.net.InetSocketAddress("127.0.0.1", shared.gw().sipExternalPort()), 2_000);
                first.getOutputStream().write((invite + "Content-Length: " + sdp.length() + "\r\n\r\n" + sdp)
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                first.setSoTimeout(2_000);
                String trying = new String(first.getInputStream().readNBytes(12), java.nio.charset.StandardCharsets.US_ASCII);
                assertEquals("SIP/2.0 100 ", trying, "the INVITE was taken");
            } // closed: the webhook has not answered yet
            try (java.net.Socket second = sentBy.accept()) {
                second.setSoTimeout(5_000);
                java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(
                        second.getInputStream(), java.nio.charset.StandardCharsets.US_ASCII));
                String status = in.readLine();
                assertTrue(status != null && status.startsWith("SIP/2.0 503"), "final answer: " + status);
            }
        }
        shared.gw().awaitCallEvent("call.failed", "+15551230053");
    }

    @Test
    void thePlatformHangsUpAForwardedCall() throws Exception {
        forwardedCall("+15551230026", forward(""), "platform-uas-inbound-answer-then-bye.xml",
                "carrier-uac-inbound-callee-hangs-up.xml");
        JsonNode done = shared.gw().awaitCallEvent("call.completed", "+15551230026");
        assertEquals("platform", done.get("data").get("hangup_side").asText());
        assertEquals("normal_clearing", done.get("data").get("hangup_cause").asText());
        assertTrue(done.get("data").get("duration").asInt() >= 0);
    }

    @Test
    void badWebhookAnswersGetTheFallbackAndADefinedSipAnswer() throws Exception {
        actionsByNumber.put("+15551230027", "{not json");
        assertEquals(0, carrierCall("carrier-uac-inbound-expect-503.xml", "+15551230027").exitCode());
        JsonNode failed = shared.gw().awaitCallEvent("call.failed", "+15551230027");
        assertEquals(503, failed.get("data").get("sip_code").asInt());
        actionsByNumber.put("+15551230030", "{\"actions\":[{\"type\":\"teleport\",\"to\":\"mars\"}]}");
        assertEquals(0, carrierCall("carrier-uac-inbound-expect-503.xml", "+15551230030").exitCode());
        // The reason is stored with the call.initiated event the fetch answered.
        JsonNode initiated = shared.gw().awaitCallEvent("call.initiated", "+15551230030");
        assertTrue(initiated.get("data").get("action").toString().contains("fallback"), initiated.toString());
    }

    @Test
    void aSlowOrHugeWebhookAnswerGetsTheFallback() throws Exception {
        actionsByNumber.put("+15551230032", "SLOW:" + forward(""));
        long start = System.nanoTime();
        assertEquals(0, carrierCall("carrier-uac-inbound-expect-503.xml", "+15551230032").exitCode());
        assertTrue(System.nanoTime() - start < 2_900_000_000L, "the fallback came at the action timeout (1 s)");
        StringBuilder huge = new StringBuilder("{\"actions\":[{\"type\":\"set\",\"variables\":{\"pad\":\"");
        huge.append("x".repeat(200_000)).append("\"}},{\"type\":\"reject\",\"status\":486}]}");
        actionsByNumber.put("+15551230033", huge.toString());
        assertEquals(0, carrierCall("carrier-uac-inbound-expect-503.xml", "+15551230033").exitCode(),
                "an answer over webhooks.max_response_bytes is refused: the fallback, not the 486");
    }

    @Test
    void theDidRoutesToItsApplicationThroughTheSameActionPath() throws Exception {
        actionsByNumber.put("+15551230020", "{\"actions\":[{\"type\":\"reject\",\"status\":486,\"reason\":\"Busy Here\"}]}");
        Sipp.Result carrier = carrierCall("carrier-uac-inbound-expect-486.xml", "+15551230020");
        assertEquals(0, carrier.exitCode(), carrier.output());
        WebhookReceiver.Received asked = webhook.received(r -> r.body().contains("+15551230020")).get(0);
        assertEquals("/did-app", asked.path());
        assertTrue(asked.body().contains("\"route\":\"number\""), asked.body());
        JsonNode failed = shared.gw().awaitCallEvent("call.failed", "+15551230020");
        assertEquals("busy", failed.get("data").get("reason").asText());
        assertEquals(486, failed.get("data").get("sip_code").asInt());
    }

    @Test
    void aRedirectAnswers302WithTheTarget() throws Exception {
        actionsByNumber.put("+15551230022", "{\"actions\":[{\"type\":\"redirect\",\"to\":\"sip:elsewhere@example.com\"}]}");
        Sipp.Result carrier = carrierCall("carrier-uac-inbound-expect-302.xml", "+15551230022");
        assertEquals(0, carrier.exitCode(), carrier.output());
        assertEquals("sip:elsewhere@example.com",
                shared.gw().awaitCallEvent("call.failed", "+15551230022").get("data").get("redirect_to").asText());
    }

    @Test
    void aForwardToAPrivateAddressIsRefusedAndTheFallbackRuns() throws Exception {
        // Loopback is allowed in the tests; the cloud metadata address never is.
        actionsByNumber.put("+15551230023", "{\"actions\":[{\"type\":\"forward\",\"to\":\"sip:x@169.254.169.254\"}]}");
        Sipp.Result carrier = carrierCall("carrier-uac-inbound-expect-503.xml", "+15551230023");
        assertEquals(0, carrier.exitCode(), carrier.output());
        JsonNode initiated = shared.gw().awaitCallEvent("call.initiated", "+15551230023");
        JsonNode error = initiated.get("data").get("action").get("error");
        assertEquals("invalid_actions", error.get("code").asText(), initiated.toString());
        assertTrue(error.get("message").asText().contains("169.254.169.254 is a link-local address"), error.toString());
    }

    @Test
    void aForwardOverTlsIsAnInvalidActionAndTheFallbackRuns() throws Exception {
        // The platform side has no TLS listening point: such a target could never be reached.
        actionsByNumber.put("+15551230034", "{\"actions\":[{\"type\":\"forward\",\"to\":\"sips:agent@127.0.0.1\"}]}");
        Sipp.Result carrier = carrierCall("carrier-uac-inbound-expect-503.xml", "+15551230034");
        assertEquals(0, carrier.exitCode(), carrier.output());
        JsonNode error = shared.gw().awaitCallEvent("call.initiated", "+15551230034").get("data").get("action")
                .get("error");
        assertEquals("invalid_actions", error.get("code").asText(), error.toString());
        assertTrue(error.get("message").asText().contains("no TLS"), error.toString());
    }

    @Test
    void aDeadWebhookFallsBackToTheDefaultReject503() throws Exception {
        Sipp.Result carrier = carrierCall("carrier-uac-inbound-expect-503.xml", "+15551230029");
        assertEquals(0, carrier.exitCode(), carrier.output());
        shared.gw().awaitCallEvent("call.failed", "+15551230029");
    }

    @Test
    void anUnknownSourceAndAnUnroutedNumberAreRefused() throws Exception {
        Sipp.Result scanner = Sipp.run("carrier-uac-inbound-expect-403.xml", ext(), "-i", "127.0.0.9",
                "-key", "to", "+15551230021");
        assertEquals(0, scanner.exitCode(), scanner.output());
        Reply t = shared.gw().http.post("/v1/trunks", API_KEY,
                "{\"name\":\"no-app\",\"proxy\":\"127.0.0.3\",\"inbound_ip\":\"127.0.0.3\"}");
        assertEquals(201, t.status(), t.body());
        Sipp.Result unrouted = Sipp.run("carrier-uac-inbound-expect-404.xml", ext(), "-i", "127.0.0.3",
                "-key", "to", "+15551230028");
        assertEquals(0, unrouted.exitCode(), unrouted.output());
    }

    @Test
    void aCancelWhileThePlatformRingsEndsBothLegs() throws Exception {
        forwardedCall("+15551230023", forward(""), "carrier-uas-ring-then-cancel.xml", "carrier-uac-inbound-cancel.xml");
        assertEquals("canceled", shared.gw().awaitCallEvent("call.failed", "+15551230023").get("data").get("reason").asText());
    }

    @Test
    void aDialActionForwardsTheCallOutThroughATrunkAfterAFailedForward() throws Exception {
        int outboundCarrier = FreePorts.next();
        int busyPlatform = FreePorts.next();
        // The DID (no application of its own: the trunk's) is the caller ID of the forwarded call.
        String dialTrunk = outboundTrunkAndDid("dial-out", outboundCarrier, "+15551230025");
        actionsByNumber.put("+15551230025", "{\"actions\":[{\"type\":\"forward\",\"to\":\"sip:agent@127.0.0.1:"
                + busyPlatform + "\",\"timeout\":5},{\"type\":\"dial\",\"to\":\"+15557770001\",\"trunk_id\":\""
                + dialTrunk + "\"}]}");
        try (Sipp busy = Sipp.startOnPort("carrier-uas-486.xml", busyPlatform);
             Sipp out = Sipp.startOnPort("carrier-uas-answer-dialled.xml", outboundCarrier)) {
            Sipp.Result carrier = carrierCall("carrier-uac-inbound-call.xml", "+15551230025");
            assertEquals(0, carrier.exitCode(), carrier.output());
            assertEquals(0, busy.await().exitCode());
            Sipp.Result o = out.await();
            assertEquals(0, o.exitCode(), o.output());
        }
        JsonNode done = shared.gw().awaitCallEvent("call.completed", "+15551230025");
        JsonNode attempts = done.get("data").get("attempts");
        assertEquals(486, attempts.get(0).get("sip_code").asInt(), attempts.toString());
        assertEquals(dialTrunk, attempts.get(1).get("trunk_id").asText(), attempts.toString());
        assertEquals("inbound", done.get("call").get("direction").asText());
    }

    @Test
    void anUnansweredDialIsCancelledAtItsTimeoutAndTheNextActionRuns() throws Exception {
        int ringingCarrier = FreePorts.next();
        String dialTrunk = outboundTrunkAndDid("dial-ringing", ringingCarrier, "+15551230031");
        actionsByNumber.put("+15551230031", "{\"actions\":[{\"type\":\"dial\",\"to\":\"+15557770002\",\"trunk_id\":\""
                + dialTrunk + "\",\"timeout\":1},{\"type\":\"reject\",\"status\":486}]}");
        try (Sipp ringing = Sipp.startOnPort("carrier-uas-ring-then-cancel.xml", ringingCarrier)) {
            Sipp.Result carrier = carrierCall("carrier-uac-inbound-expect-486.xml", "+15551230031");
            assertEquals(0, carrier.exitCode(), carrier.output());
            Sipp.Result r = ringing.await();
            assertEquals(0, r.exitCode(), "the ringing carrier got its CANCEL: " + r.output());
        }
        JsonNode attempts = shared.gw().awaitCallEvent("call.failed", "+15551230031").get("data").get("attempts");
        assertEquals(408, attempts.get(0).get("sip_code").asInt(), attempts.toString());
    }

    @Test
    void aHuntMovesToTheNextTargetWhenOneDoesNotAnswer() throws Exception {
        int silent = FreePorts.next(); // nobody listens there
        int platformPort = FreePorts.next();
        actionsByNumber.put("+15551230024", "{\"actions\":[{\"type\":\"forward\",\"to\":[\"sip:a@127.0.0.1:" + silent
                + "\",\"sip:b@127.0.0.1:" + platformPort + "\"],\"timeout\":1}]}");
        try (Sipp platform = Sipp.startOnPort("platform-uas-inbound-answer.xml", platformPort)) {
            Sipp.Result carrier = carrierCall("carrier-uac-inbound-call.xml", "+15551230024");
            assertEquals(0, carrier.exitCode(), carrier.output());
            assertEquals(0, platform.await().exitCode());
        }
        JsonNode attempts = shared.gw().awaitCallEvent("call.completed", "+15551230024").get("data").get("attempts");
        assertEquals("sip:a@127.0.0.1:" + silent, attempts.get(0).get("target").asText(), attempts.toString());
        assertEquals(408, attempts.get(0).get("sip_code").asInt());
        assertEquals("sip:b@127.0.0.1:" + platformPort, attempts.get(1).get("target").asText());
    }
}
