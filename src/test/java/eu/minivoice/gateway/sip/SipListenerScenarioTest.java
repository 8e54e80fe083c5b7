package eu.minivoice.gateway.sip;

import eu.minivoice.gateway.support.Sipp;
import eu.minivoice.gateway.support.SharedGateway;
import eu.minivoice.gateway.support.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Real SIP on loopback against the gateway's listening points, played by SIPp. */
class SipListenerScenarioTest {
    @RegisterExtension
    static final SharedGateway shared = new SharedGateway();

    private static void expectPass(Sipp.Result r) {
        assertEquals(0, r.exitCode(), () -> "sipp failed:\n" + r.output());
    }

    @Test
    void answersOptionsWith200OnTheExternalPortOverUdp() throws Exception {
        expectPass(Sipp.run("uac-options-expect-200.xml", "127.0.0.1:" + shared.gw().sipExternalPort()));
    }

    @Test
    void answersOptionsWith200OnTheExternalPortOverTcp() throws Exception {
        expectPass(Sipp.run("uac-options-expect-200.xml", "127.0.0.1:" + shared.gw().sipExternalPort(), "-t", "t1"));
    }

    @Test
    void answersOptionsWith200OnTheInternalPortFromATrustedSource() throws Exception {
        expectPass(Sipp.run("uac-options-expect-200.xml", "127.0.0.1:" + shared.gw().sipInternalPort()));
    }

    @Test
    void refusesInboundInvitesUntilMatchingExistsAndPlatformInvitesWithoutACustomer() throws Exception {
        expectPass(Sipp.run("uac-invite-expect-403.xml", "127.0.0.1:" + shared.gw().sipExternalPort()));
        expectPass(Sipp.run("uac-invite-expect-403.xml", "127.0.0.1:" + shared.gw().sipInternalPort()));
    }

    @Test
    void refusesEverythingOnTheInternalPortFromAnUntrustedSource(@TempDir Path other) throws Exception {
        Map<String, String> env = TestGateway.env(other);
        env.put("MINIVOICE_TRUSTED_CIDRS", "192.0.2.0/24"); // loopback is not trusted here
        try (TestGateway strict = TestGateway.start(other, env)) {
            expectPass(Sipp.run("uac-options-expect-403.xml", "127.0.0.1:" + strict.sipInternalPort()));
            expectPass(Sipp.run("uac-invite-expect-403.xml", "127.0.0.1:" + strict.sipInternalPort()));
            // The carrier side is not subject to the platform trust list.
            expectPass(Sipp.run("uac-options-expect-200.xml", "127.0.0.1:" + strict.sipExternalPort()));
        }
    }

    @Test
    void keepsAnsweringAfterMalformedDatagramsAndStreams() throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        String[] garbage = {
            "\u0000\u0001\u0002 not sip at all",
            "OPTIONS sip:x SIP/2.0\r\n\r\n",                                    // no Via, From, To, Call-ID
            "INVITE sip:+1@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKx\r\n"
                    + "Content-Length: 99999\r\n\r\nv=0",                       // lying length
            "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKy\r\n\r\n", // stray response
            "REGISTER sip:127.0.0.1 SIP/2.0\r\nVia: \u00ff\u00fe\r\nCSeq: x\r\n\r\n",
            "\r\n\r\n",                                                         // keep-alive CRLFs
        };
        try (DatagramSocket s = new DatagramSocket(0, lo)) {
            for (String g : garbage) {
                byte[] b = g.getBytes(StandardCharsets.ISO_8859_1);
                s.send(new DatagramPacket(b, b.length, lo, shared.gw().sipExternalPort()));
            }
            byte[] huge = new byte[60_000];
            java.util.Arrays.fill(huge, (byte) 'A');
            s.send(new DatagramPacket(huge, huge.length, lo, shared.gw().sipExternalPort()));
        }
        try (Socket tcp = new Socket(lo, shared.gw().sipExternalPort())) {
            tcp.getOutputStream().write("GARBAGE GARBAGE\r\n\r\nINVITE\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            tcp.getOutputStream().flush();
        }
        expectPass(Sipp.run("uac-options-expect-200.xml", "127.0.0.1:" + shared.gw().sipExternalPort()));
        expectPass(Sipp.run("uac-options-expect-200.xml", "127.0.0.1:" + shared.gw().sipExternalPort(), "-t", "t1"));
        assertEquals(200, shared.gw().http.get("/health", null).status());
    }
}
