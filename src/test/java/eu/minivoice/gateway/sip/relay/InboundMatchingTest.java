package eu.minivoice.gateway.sip.relay;

import com.fasterxml.jackson.databind.JsonNode;
import eu.minivoice.gateway.support.Await;
import eu.minivoice.gateway.support.Http.Reply;
import eu.minivoice.gateway.support.SharedGateway;
import eu.minivoice.gateway.support.TestGateway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static eu.minivoice.gateway.support.TestGateway.API_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/product.md §5 matching on the wire: carrier INVITEs from loopback aliases (127.0.0.2 = a carrier
 * shared by two customers, 127.0.0.10 = customer A's own carrier, 127.0.0.9 = a scanner) against
 * the external port, and the /v1/trunks/match dry run answering the same.
 */
class InboundMatchingTest {
    @RegisterExtension
    static final SharedGateway shared = new SharedGateway();
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static String keyB;
    private static volatile String lastAnswer;
    private static String trunkA;
    private static String trunkA3;
    private static String trunkB;

    @BeforeAll
    static void twoCustomersOnOneCarrier() {
        Reply b = shared.gw().http.post("/v1/customers", TestGateway.OPERATOR_KEY, "{\"name\":\"Customer B\"}");
        assertEquals(201, b.status(), b.body());
        keyB = b.data().get("api_key").asText();
        trunkA = create(API_KEY, "{\"name\":\"shared-a\",\"proxy\":\"127.0.0.2\",\"inbound_ip\":\"127.0.0.2\"}");
        trunkA3 = create(API_KEY, "{\"name\":\"own-a\",\"proxy\":\"127.0.0.10\",\"inbound_ip\":\"127.0.0.10/32\"}");
        trunkB = create(keyB, "{\"name\":\"shared-b\",\"proxy\":\"127.0.0.2\",\"inbound_ip\":\"127.0.0.0/29\"}");
        assertEquals(201, shared.gw().http.post("/v1/numbers", API_KEY, "{\"number\":\"+15551230002\"}").status());
        assertEquals(201, shared.gw().http.post("/v1/numbers", keyB, "{\"number\":\"+15551230003\"}").status());
    }

    private static String create(String key, String body) {
        Reply r = shared.gw().http.post("/v1/trunks", key, body);
        assertEquals(201, r.status(), r.body());
        return r.data().get("id").asText();
    }

    /** Sends an INVITE from {@code from} (a loopback alias); @return the final answer's status, or 0. */
    private static int invite(String from, String dialled) throws Exception {
        return invite(from, dialled, "");
    }

    private static int invite(String from, String dialled, String extraHeaders) throws Exception {
        InetAddress src = InetAddress.getByName(from);
        try (DatagramSocket s = new DatagramSocket(0, src)) {
            s.setSoTimeout(2_000);
            String m = message(s, dialled).replace("Content-Length: 0", extraHeaders + "Content-Length: 0");
            byte[] b = m.getBytes(StandardCharsets.ISO_8859_1);
            s.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), shared.gw().sipExternalPort()));
            byte[] buf = new byte[8192];
            while (true) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    s.receive(p);
                } catch (SocketTimeoutException e) {
                    return 0;
                }
                String answer = new String(p.getData(), 0, p.getLength(), StandardCharsets.ISO_8859_1);
                int status = Integer.parseInt(answer.substring(8, 11));
                assertTrue(!answer.contains("X-MiniVoice"), "no internal header towards a carrier: " + answer);
                lastAnswer = answer;
                if (status >= 200) {
                    return status;
                }
            }
        }
    }

    private static String message(DatagramSocket s, String dialled) {
        int n = SEQ.incrementAndGet();
        String host = s.getLocalAddress().getHostAddress() + ":" + s.getLocalPort();
        return "INVITE sip:" + dialled + "@127.0.0.1 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP " + host + ";branch=z9hG4bK-in-" + n + "\r\n"
                + "From: <sip:+15559990001@" + host + ">;tag=c" + n + "\r\n"
                + "To: <sip:" + dialled + "@127.0.0.1>\r\n"
                + "Call-ID: inbound-" + n + "@" + host + "\r\n"
                + "CSeq: 1 INVITE\r\n"
                + "Contact: <sip:carrier@" + host + ">\r\n"
                + "Max-Forwards: 70\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    private static JsonNode match(String key, String ip, String to) {
        Reply r = shared.gw().http.get("/v1/trunks/match?ip=" + ip + "&to=" + to.replace("+", "%2B"), key);
        assertEquals(200, r.status(), r.body());
        return r.data();
    }

    @Test
    void anUnknownSourceGets403AndLeavesNoTrace() throws Exception {
        long before = shared.gw().gateway().inbound().unknownSources();
        assertEquals(403, invite("127.0.0.9", "+15551239876"));
        assertEquals(before + 1, shared.gw().gateway().inbound().unknownSources());
        assertEquals("no_match", match(API_KEY, "127.0.0.9", "+15551230002").get("result").asText());
        Thread.sleep(200);
        assertTrue(!shared.gw().http.get("/v1/events?limit=1000", API_KEY).body().contains("+15551239876"), "no event");
        assertTrue(!shared.gw().http.get("/v1/calls?limit=1000", API_KEY).body().contains("+15551239876"), "no record");
    }

    @Test
    void theSharedCarrierIsDecidedByTheDidOwner() throws Exception {
        JsonNode a = match(API_KEY, "127.0.0.2", "+15551230002");
        assertEquals("refused", a.get("result").asText(), a.toString()); // matched, but no application yet
        assertEquals(trunkA, a.get("trunk_id").asText());
        assertEquals(404, a.get("sip_status").asInt());
        JsonNode notB = match(keyB, "127.0.0.2", "+15551230002");
        assertEquals("no_match", notB.get("result").asText());
        JsonNode b = match(keyB, "127.0.0.2", "+15551230003");
        assertEquals(trunkB, b.get("trunk_id").asText(), b.toString());
        JsonNode notA = match(API_KEY, "127.0.0.2", "+15551230003");
        assertEquals("no_match", notA.get("result").asText());
        assertTrue(!notA.toString().contains(trunkB) && !notB.toString().contains(trunkA), "no other tenant's trunk is named");
        // Nobody's number on the shared carrier: A's trunk claimed 127.0.0.2 first, so the call is
        // A's (404 here: A's trunk has no application); B's later overlapping range changes nothing.
        JsonNode nobody = match(API_KEY, "127.0.0.2", "+15551230009");
        assertEquals(trunkA, nobody.get("trunk_id").asText(), nobody.toString());
        assertEquals(404, nobody.get("sip_status").asInt());
        JsonNode lost = match(keyB, "127.0.0.2", "+15551230009");
        assertEquals("no_match", lost.get("result").asText(), lost.toString());
        assertTrue(lost.get("inbound_ip_conflict").asBoolean(), lost.toString());
        assertEquals(trunkB, lost.get("conflicted_trunk_ids").get(0).asText());
        assertEquals(404, invite("127.0.0.2", "+15551230009"));
        assertEquals(trunkA3, match(API_KEY, "127.0.0.10", "+15551230002").get("trunk_id").asText());
        // Only B's /29 contains 127.0.0.3: B's call whatever the number (B's carrier sent it).
        assertEquals("no_match", match(API_KEY, "127.0.0.3", "+15551230002").get("result").asText());
        assertEquals(trunkB, match(keyB, "127.0.0.3", "+15551230002").get("trunk_id").asText());
        assertEquals(422, shared.gw().http.get("/v1/trunks/match?ip=example.com", API_KEY).status());
        assertEquals(422, shared.gw().http.get("/v1/trunks/match", API_KEY).status());
    }

    @Test
    void aMatchedCallWithoutRouteOrWithABadNumberIsRecordedAndRefused() throws Exception {
        assertEquals(404, invite("127.0.0.2", "+15551230002"));
        JsonNode failed = Await.until("call.failed no_route", () -> {
            for (JsonNode e : shared.gw().http.get("/v1/events?type=call.failed&limit=50", API_KEY).data()) {
                if (e.get("data").get("error").get("code").asText().equals("no_route")) {
                    return e;
                }
            }
            return null;
        }, e -> true, Duration.ofSeconds(5));
        assertEquals("inbound", failed.get("call").get("direction").asText());
        assertEquals(trunkA, failed.get("call").get("trunk_id").asText());
        assertEquals(404, failed.get("data").get("sip_code").asInt());
        String callId = failed.get("call").get("id").asText();
        JsonNode rec = Await.until("record " + callId, () -> {
            Reply r = shared.gw().http.get("/v1/calls/" + callId, API_KEY);
            return r.status() == 200 ? r.data() : null;
        }, n -> true, Duration.ofSeconds(5));
        assertEquals("no_route", rec.get("error_code").asText());
        assertEquals(404, shared.gw().http.get("/v1/calls/" + callId, keyB).status());

        assertEquals(484, invite("127.0.0.10", "not-a-number"));
        assertEquals(484, invite("127.0.0.10", "+155512300020000000000"));
    }

    @Test
    void aCarrierRequiringAnExtensionGets420() throws Exception {
        String app = new eu.minivoice.gateway.support.TestApplications(shared.gw().http, API_KEY)
                .create("\"webhook_url\":\"http://127.0.0.1:9/never-asked\"");
        assertEquals(201, shared.gw().http.post("/v1/numbers", API_KEY, "{\"number\":\"+15551230040\",\"application_id\":\""
                + app + "\"}").status());
        assertEquals(420, invite("127.0.0.10", "+15551230040", "Require: 100rel\r\n"));
        assertTrue(lastAnswer.contains("Unsupported: 100rel"), lastAnswer);
    }

    @Test
    void aScannerFloodDoesNotStopARealCarrier() throws Exception {
        long before = shared.gw().gateway().inbound().unknownSources();
        InetAddress scanner = InetAddress.getByName("127.0.0.9");
        try (DatagramSocket s = new DatagramSocket(0, scanner)) {
            for (int i = 0; i < 3_000; i++) {
                byte[] b = message(s, "+1555000" + (1000 + i % 9000)).getBytes(StandardCharsets.ISO_8859_1);
                s.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), shared.gw().sipExternalPort()));
            }
            // A real carrier's call during the flood is still answered (here: its number has no route).
            assertEquals(404, invite("127.0.0.2", "+15551230002"));
        }
        Await.until("flood counted", () -> shared.gw().gateway().inbound().unknownSources() - before,
                n -> n >= 2_900, Duration.ofSeconds(10)); // UDP: a few may be dropped by the kernel
        long warnLines = shared.gw().console.stream().filter(l -> l.contains("refusal(s) of unmatched sources")).count();
        assertTrue(warnLines <= 3, "the flood is logged at a bounded rate, not per INVITE: " + warnLines);
    }
}
