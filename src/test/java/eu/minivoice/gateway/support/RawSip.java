package eu.minivoice.gateway.support;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * Hand-written SIP over UDP, for requests SIPp cannot send (missing or hostile headers). "PORT" in
 * a message is replaced by the sending socket's port.
 */
public final class RawSip {
    private static final InetAddress LO = InetAddress.getLoopbackAddress();
    private static final AtomicInteger SEQ = new AtomicInteger();

    private RawSip() {
    }

    /** A well-formed platform INVITE from +15551230001 to +15551239999 for cust_default; {@code edit} changes its header block. */
    public static String platformInvite(UnaryOperator<String> edit) {
        int n = SEQ.incrementAndGet();
        String sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                + "m=audio 40000 RTP/AVP 0\r\n";
        String headers = "INVITE sip:+15551239999@127.0.0.1 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:PORT;branch=z9hG4bK-raw-" + n + "-" + System.nanoTime() + "\r\n"
                + "From: <sip:+15551230001@127.0.0.1>;tag=f" + n + "\r\n"
                + "To: <sip:+15551239999@127.0.0.1>\r\n"
                + "Call-ID: raw-" + n + "-" + System.nanoTime() + "@127.0.0.1\r\n"
                + "CSeq: 1 INVITE\r\n"
                + "Contact: <sip:platform@127.0.0.1:PORT>\r\n"
                + "Max-Forwards: 70\r\n"
                + "X-MiniVoice-Customer-Id: cust_default\r\n"
                + "Content-Type: application/sdp\r\n";
        headers = edit.apply(headers);
        return headers + "Content-Length: " + sdp.length() + "\r\n\r\n" + sdp;
    }

    /** Sends one request from a fresh socket; @return the first final answer (status line + headers), or null within 2 s */
    public static String send(String message, int port) throws Exception {
        try (DatagramSocket s = new DatagramSocket(0, LO)) {
            s.setSoTimeout(2_000);
            byte[] b = message.replace("PORT", Integer.toString(s.getLocalPort())).getBytes(StandardCharsets.ISO_8859_1);
            s.send(new DatagramPacket(b, b.length, LO, port));
            byte[] buf = new byte[65_536];
            long end = System.currentTimeMillis() + 2_000;
            while (System.currentTimeMillis() < end) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    s.receive(p);
                } catch (SocketTimeoutException e) {
                    return null;
                }
                String answer = new String(p.getData(), 0, p.getLength(), StandardCharsets.ISO_8859_1);
                if (!answer.startsWith("SIP/2.0 1")) {
                    return answer;
                }
            }
            return null;
        }
    }

    /** Sends without waiting for an answer. */
    public static void fire(String message, int port) throws Exception {
        try (DatagramSocket s = new DatagramSocket(0, LO)) {
            byte[] b = message.replace("PORT", Integer.toString(s.getLocalPort())).getBytes(StandardCharsets.ISO_8859_1);
            s.send(new DatagramPacket(b, b.length, LO, port));
        }
    }
}
