package eu.minivoice.gateway.sip;

import eu.minivoice.gateway.support.Await;
import eu.minivoice.gateway.support.Sipp;
import eu.minivoice.gateway.support.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static eu.minivoice.gateway.support.TestGateway.OPERATOR_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Overload (docs/sip.md, "Overload"): while the SIP workers are behind by more than
 * sip.overload_delay_ms, a new call is answered 503 at once — with X-MiniVoice-Error: overloaded
 * to the platform — and counted; once they have caught up, calls are taken again.
 *
 * <p>The backlog is made for real: one SIP worker (sip.threads 1) and 10,000 requests it must
 * refuse, each with its own Call-ID so they fill all lanes; the platform's INVITE then waits
 * behind them in its own lane (~0.5 s here, against a 50 ms limit).
 */
class OverloadTest {
    private static final String SERIES = "minivoice_sip_overload_refused_total{side=\"internal\"}";

    private static double refusals(TestGateway gw) {
        String scrape = gw.http.get("/metrics", OPERATOR_KEY).body();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(SERIES) + " ([0-9.eE+-]+)$").matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    private static String[] keys(String to) {
        return new String[] {"-key", "customer", "cust_default", "-key", "to", to, "-key", "from", "+15551230001"};
    }

    /**
     * Requests the parser refuses (a CSeq without a number: each costs a parse and a 400), each
     * with a Call-ID of its own; they take the one worker far longer than they take to send.
     */
    private static void flood(int port, int count) throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (DatagramSocket s = new DatagramSocket(0, lo)) {
            for (int i = 0; i < count; i++) {
                byte[] b = ("OPTIONS sip:flood@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKflood" + i
                        + "\r\nFrom: <sip:flood@127.0.0.1>;tag=f" + i + "\r\nTo: <sip:flood@127.0.0.1>\r\nCall-ID: flood-" + i
                        + "@127.0.0.1\r\nCSeq: not-a-number OPTIONS\r\nContent-Length: 0\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII);
                s.send(new DatagramPacket(b, b.length, lo, port));
            }
        }
    }

    @Test
    void newCallsAreRefusedWhileTheWorkersAreBehindAndTakenOnceTheyCaughtUp(@TempDir Path data) throws Exception {
        Map<String, String> env = TestGateway.env(data);
        env.put("MINIVOICE_SIP_THREADS", "1");
        env.put("MINIVOICE_SIP_OVERLOAD_DELAY_MS", "50");
        try (TestGateway gw = TestGateway.start(data, env)) {
            String gateway = "127.0.0.1:" + gw.sipInternalPort();
            assertEquals(201, gw.http.post("/v1/numbers", TestGateway.API_KEY, "{\"number\":\"+15551230001\"}").status());
            assertEquals(0.0, refusals(gw));

            // Behind: the INVITE waits behind the flood and is refused on the spot, no call made.
            flood(gw.sipInternalPort(), 10_000); // ~0.15 s to send, ~0.6 s of work (60 µs each)
            Sipp.Result refused = Sipp.run("platform-uac-expect-503-overloaded.xml", gateway, keys("+15551239001"));
            assertEquals(0, refused.exitCode(), refused.output());
            assertTrue(refusals(gw) >= 1, "counted");
            assertTrue(!gw.http.get("/v1/calls", TestGateway.API_KEY).body().contains("15551239001"),
                    "no call record for a refused INVITE");

            // Caught up (nothing taken for a second reads as idle): the next call is taken — with no
            // trunk it fails as a call, 503 no_active_trunk with its call id, not for overload.
            double before = refusals(gw);
            Await.until("the backlog worked off", () -> gw.http.get("/metrics", OPERATOR_KEY).body(),
                    b -> b.contains("minivoice_sip_queue_delay_seconds 0.0"), java.time.Duration.ofSeconds(60));
            Sipp.Result taken = Sipp.run("platform-uac-expect-503.xml", gateway, keys("+15551239002"));
            assertEquals(0, taken.exitCode(), taken.output());
            assertEquals(before, refusals(gw));
        }
    }
}
