package eu.minivoice.gateway.sip.relay;

import eu.minivoice.gateway.support.FreePorts;
import eu.minivoice.gateway.support.Http.Reply;
import eu.minivoice.gateway.support.RawSip;
import eu.minivoice.gateway.support.SharedGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static eu.minivoice.gateway.support.TestGateway.API_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Malformed and hostile INVITEs on the internal (platform) port: each gets its documented answer
 * (docs/relay.md), none reaches the carrier, and the gateway keeps relaying real calls. The
 * platform is a raw UDP socket (SIPp cannot send most of these); the carrier is a raw UDP socket
 * that records every INVITE it is sent.
 */
class HostileInviteTest {
    @RegisterExtension
    static final SharedGateway shared = new SharedGateway();
    private static final InetAddress LO = InetAddress.getLoopbackAddress();
    private static DatagramSocket carrier;
    private static final List<String> carrierInvites = new java.util.concurrent.CopyOnWriteArrayList<>();
    private static Thread carrierThread;

    @BeforeAll
    static void trunkToARecordingCarrier() throws Exception {
        carrier = new DatagramSocket(FreePorts.next(), LO);
        carrierThread = new Thread(() -> {
            byte[] buf = new byte[65_536];
            while (!carrier.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    carrier.receive(p);
                    String m = new String(p.getData(), 0, p.getLength(), StandardCharsets.ISO_8859_1);
                    if (m.startsWith("INVITE ")) {
                        carrierInvites.add(m);
                    }
                } catch (Exception e) {
                    return;
                }
            }
        }, "recording-carrier");
        carrierThread.setDaemon(true);
        carrierThread.start();
        Reply n = shared.gw().http.post("/v1/numbers", API_KEY, "{\"number\":\"+15551230001\"}");
        assertEquals(201, n.status(), n.body());
        Reply t = shared.gw().http.post("/v1/trunks", API_KEY, "{\"name\":\"hostile\",\"proxy\":\"127.0.0.1:"
                + carrier.getLocalPort() + "\"}");
        assertEquals(201, t.status(), t.body());
    }

    @AfterAll
    static void stopCarrier() {
        carrier.close();
    }

    private static String invite(java.util.function.UnaryOperator<String> edit) {
        return RawSip.platformInvite(edit);
    }

    private static String send(String message) throws Exception {
        return RawSip.send(message, shared.gw().sipInternalPort());
    }

    private static void expect(int status, String error, String message) throws Exception {
        String answer = send(message);
        assertTrue(answer != null && answer.startsWith("SIP/2.0 " + status + " "),
                "expected " + status + " for:\n" + message + "\ngot:\n" + answer);
        if (error != null) {
            assertTrue(answer.contains("X-MiniVoice-Error: " + error + "\r\n"), answer);
            assertTrue(answer.contains("X-MiniVoice-Call-Id: call_"), answer);
        }
    }

    @Test
    void hostileInvitesGetTheirAnswerAndNeverReachTheCarrier() throws Exception {
        // Missing mandatory headers: the SIP stack answers 400 itself.
        expect(400, null, invite(h -> h.replaceFirst("Contact: [^\r]*\r\n", "")));
        expect(400, null, invite(h -> h.replaceFirst("Max-Forwards: [^\r]*\r\n", "")));
        expect(400, null, invite(h -> h.replaceFirst("CSeq: 1 INVITE", "CSeq: 1 BYE")));
        // Our own rules.
        expect(400, "invalid_request", invite(h -> h.replaceFirst(";tag=f\\d+", "")));
        expect(415, "unsupported_media_type", invite(h -> h.replace("application/sdp", "text/garbage")));
        expect(483, "too_many_hops", invite(h -> h.replace("Max-Forwards: 70", "Max-Forwards: 0")));
        int ext = shared.gw().sipExternalPort();
        expect(482, "loop_detected", invite(h -> h.replaceFirst("(Via: [^\r]*\r\n)",
                "$1Via: SIP/2.0/UDP 127.0.0.1:" + ext + ";branch=z9hG4bK-ours\r\n")));
        expect(513, "message_too_large", invite(h -> h + "X-Junk: " + "j".repeat(9_000) + "\r\n"));
        expect(420, "unsupported_extension", invite(h -> h + "Require: 100rel\r\n"));
        String require = send(invite(h -> h + "Require: 100rel, timer\r\n"));
        assertTrue(require.matches("(?s).*Unsupported: 100rel, ?timer\r\n.*"), require);
        expect(400, "invalid_call_id", invite(h -> h + "X-MiniVoice-Call-Id: ../../etc\r\n"));
        expect(484, "invalid_destination", invite(h -> h.replace("sip:+15551239999@127.0.0.1 SIP", "sip:nobody@127.0.0.1 SIP")));
        expect(484, "invalid_destination", invite(h -> h.replace("sip:+15551239999@127.0.0.1 SIP",
                "sip:+1555123999999999999999@127.0.0.1 SIP")));
        expect(403, "caller_id_not_verified", invite(h -> h.replaceFirst("From: <sip:\\+15551230001", "From: <sip:anonymous")));
        expect(403, "unauthorized", invite(h -> h.replaceFirst("X-MiniVoice-Customer-Id: [^\r]*\r\n", "")));

        // Within sip.max_message_bytes (16 KiB) but 12 KB of one header: 513.
        expect(513, "message_too_large", invite(h -> h + "X-Huge: " + "h".repeat(12_000) + "\r\n"));
        // The largest datagram there is (60 KB): cut at 16 KiB by the stack; what is left is
        // refused (513 for its headers, or 400 / nothing when the cut leaves it malformed).
        String cut = send(invite(h -> h + "X-Huge: " + "h".repeat(60_000) + "\r\n"));
        assertTrue(cut == null || cut.startsWith("SIP/2.0 400 ") || cut.startsWith("SIP/2.0 513 "), cut);

        Thread.sleep(300);
        assertEquals(List.of(), new ArrayList<>(carrierInvites), "nothing may reach the carrier");
        // Still relaying: a good INVITE reaches the carrier.
        RawSip.fire(invite(h -> h), shared.gw().sipInternalPort());
        long end = System.currentTimeMillis() + 3_000;
        while (carrierInvites.isEmpty() && System.currentTimeMillis() < end) {
            Thread.sleep(20);
        }
        assertEquals(1, carrierInvites.size(), "a good INVITE is still relayed");
        assertTrue(carrierInvites.get(0).contains("Supported: 100rel"), carrierInvites.get(0));
        assertTrue(!carrierInvites.get(0).contains("X-MiniVoice"), "no platform header reaches the carrier");
    }
}
