package eu.minivoice.gateway.sip;

import eu.minivoice.gateway.support.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The TCP transport with raw sockets on loopback: no thread per connection, the connection caps,
 * the idle timeout and keep-alive pings, stream framing (docs/sip.md, "TCP and TLS").
 */
class TcpTransportTest {
    private static final int PER_ADDRESS = 20;
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static Path dir;
    private static TestGateway gw;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("tcp-transport");
        Map<String, String> env = TestGateway.env(dir);
        env.put("MINIVOICE_SIP_TCP_MAX_CONNECTIONS_PER_ADDRESS", Integer.toString(PER_ADDRESS));
        env.put("MINIVOICE_SIP_TCP_MESSAGE_READ_TIMEOUT_S", "2");
        gw = TestGateway.start(dir, env);
    }

    @AfterAll
    static void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    private static int port() {
        return gw.sipExternalPort();
    }

    @Test
    void aThousandConnectionsCostNoThreadsAndEachStillGetsAnswers() throws Exception {
        List<Socket> open = new ArrayList<>();
        try {
            int before = ManagementFactory.getThreadMXBean().getThreadCount();
            for (int a = 0; a < 50; a++) {
                for (int i = 0; i < PER_ADDRESS; i++) {
                    open.add(connect("127.0.1." + (a + 1)));
                }
            }
            Thread.sleep(300);
            int after = ManagementFactory.getThreadMXBean().getThreadCount();
            // The stack's own transport took two threads per connection (2,000 here).
            assertTrue(after - before < 10, "threads went from " + before + " to " + after);
            // Every connection is served: the first, the last, and a new one from elsewhere.
            assertTrue(answer(open.get(0), options(open.get(0))).startsWith("SIP/2.0 200"));
            assertTrue(answer(open.get(999), options(open.get(999))).startsWith("SIP/2.0 200"));
            try (Socket fresh = connect("127.0.2.1")) {
                assertTrue(answer(fresh, options(fresh)).startsWith("SIP/2.0 200"));
            }
        } finally {
            for (Socket s : open) {
                s.close();
            }
        }
    }

    @Test
    void oneAddressGetsNoMoreThanItsShareOfConnections() throws Exception {
        List<Socket> open = new ArrayList<>();
        try {
            for (int i = 0; i < PER_ADDRESS + 5; i++) {
                open.add(connect("127.0.3.1"));
            }
            int served = 0;
            int refused = 0;
            for (Socket s : open) {
                String a = answerOrNull(s, options(s));
                if (a != null && a.startsWith("SIP/2.0 200")) {
                    served++;
                } else {
                    refused++;
                }
            }
            assertEquals(PER_ADDRESS, served);
            assertEquals(5, refused);
            // Another address is not held up by it.
            try (Socket other = connect("127.0.3.2")) {
                assertTrue(answer(other, options(other)).startsWith("SIP/2.0 200"));
            }
        } finally {
            for (Socket s : open) {
                s.close();
            }
        }
        // Closed connections give their places back: the address gets its full share again.
        List<Socket> again = new ArrayList<>();
        try {
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (again.size() < PER_ADDRESS && System.nanoTime() < deadline) {
                Socket s = connect("127.0.3.1");
                if (answerOrNull(s, options(s)) != null) {
                    again.add(s);
                } else {
                    s.close(); // the gateway has not noticed every close yet
                    Thread.sleep(50);
                }
            }
            assertEquals(PER_ADDRESS, again.size(), "places given back after close");
        } finally {
            for (Socket s : again) {
                s.close();
            }
        }
    }

    @Test
    void aSilentConnectionIsClosedAndOneThatPingsIsKept(@TempDir Path other) throws Exception {
        Map<String, String> env = TestGateway.env(other);
        env.put("MINIVOICE_SIP_TCP_IDLE_TIMEOUT_S", "2");
        try (TestGateway quick = TestGateway.start(other, env);
             Socket silent = connect("127.0.4.1", quick.sipExternalPort());
             Socket pinging = connect("127.0.4.2", quick.sipExternalPort())) {
            silent.setSoTimeout(6_000);
            pinging.setSoTimeout(1_000);
            long start = System.nanoTime();
            int pongs = 0;
            boolean silentClosed = false;
            while (System.nanoTime() - start < 4_000_000_000L) {
                pinging.getOutputStream().write("\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                byte[] pong = new byte[2];
                if (pinging.getInputStream().readNBytes(pong, 0, 2) == 2 && pong[0] == '\r' && pong[1] == '\n') {
                    pongs++;
                }
                Thread.sleep(500);
            }
            try {
                silentClosed = silent.getInputStream().read() == -1;
            } catch (IOException e) {
                silentClosed = true; // reset
            }
            assertTrue(silentClosed, "a connection silent for longer than sip.tcp_idle_timeout_s is closed");
            assertTrue(pongs >= 6, "each ping gets its pong: " + pongs);
            assertTrue(answer(pinging, options(pinging, quick.sipExternalPort())).startsWith("SIP/2.0 200"),
                    "the pinging connection is open");
        }
    }

    @Test
    void messagesAreCutFromTheStreamWhateverTheSegments() throws Exception {
        try (Socket s = connect("127.0.5.1")) {
            // Two in one write: two answers.
            String a = options(s);
            String b = options(s);
            s.getOutputStream().write((a + b).getBytes(StandardCharsets.US_ASCII));
            assertTrue(read(s).startsWith("SIP/2.0 200"));
            assertTrue(read(s).startsWith("SIP/2.0 200"));
            // One in pieces, with a pause between them.
            byte[] c = options(s).getBytes(StandardCharsets.US_ASCII);
            int third = c.length / 3;
            s.getOutputStream().write(c, 0, third);
            Thread.sleep(150);
            s.getOutputStream().write(c, third, third);
            Thread.sleep(150);
            s.getOutputStream().write(c, 2 * third, c.length - 2 * third);
            assertTrue(read(s).startsWith("SIP/2.0 200"));
        }
    }

    @Test
    void aPeerTricklingAMessageIsCutOffAtTheReadTimeout() throws Exception {
        try (Socket s = connect("127.0.8.1")) {
            s.setSoTimeout(6_000);
            long start = System.nanoTime();
            s.getOutputStream().write(options(s).substring(0, 40).getBytes(StandardCharsets.US_ASCII));
            boolean closed;
            try {
                closed = s.getInputStream().read() == -1;
            } catch (IOException e) {
                closed = true;
            }
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(closed && ms >= 1_500 && ms < 5_000, "closed " + closed + " after " + ms + " ms (timeout 2 s)");
        }
    }

    @Test
    void anUnreadableRequestGets400AndTheConnectionGoesOn() throws Exception {
        try (Socket s = connect("127.0.6.1")) {
            String bad = options(s).replaceFirst("CSeq: 1 OPTIONS", "CSeq: one OPTIONS");
            String answer = answer(s, bad);
            assertTrue(answer.startsWith("SIP/2.0 400"), answer);
            assertTrue(answer(s, options(s)).startsWith("SIP/2.0 200"));
        }
    }

    @Test
    void aMessageOverTheSizeLimitClosesTheConnection() throws Exception {
        try (Socket s = connect("127.0.7.1")) {
            s.setSoTimeout(3_000);
            int limit = gw.config().sip().maxMessageBytes();
            String huge = options(s).replace("Content-Length: 0", "Content-Length: " + (limit + 1));
            s.getOutputStream().write(huge.getBytes(StandardCharsets.US_ASCII));
            boolean closed;
            try {
                closed = s.getInputStream().read() == -1;
            } catch (IOException e) {
                closed = true;
            }
            assertTrue(closed, "the gateway closed a connection announcing " + (limit + 1) + " bytes");
        }
        // And serves others as before.
        try (Socket s = connect("127.0.7.2")) {
            assertTrue(answer(s, options(s)).startsWith("SIP/2.0 200"));
        }
    }

    private static Socket connect(String from) throws IOException {
        return connect(from, port());
    }

    private static Socket connect(String from, int port) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(from, 0));
        s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
        s.setSoTimeout(3_000);
        return s;
    }

    private static String options(Socket s) {
        return options(s, port());
    }

    private static String options(Socket s, int port) {
        int n = SEQ.incrementAndGet();
        String local = s.getLocalAddress().getHostAddress() + ":" + s.getLocalPort();
        return "OPTIONS sip:127.0.0.1:" + port + ";transport=tcp SIP/2.0\r\n"
                + "Via: SIP/2.0/TCP " + local + ";branch=z9hG4bK-tcp-" + n + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:probe@" + local + ">;tag=t" + n + "\r\n"
                + "To: <sip:gw@127.0.0.1>\r\n"
                + "Call-ID: tcp-" + n + "@test\r\n"
                + "CSeq: 1 OPTIONS\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    private static String answer(Socket s, String request) throws IOException {
        String a = answerOrNull(s, request);
        assertNotNull(a, "no answer");
        return a;
    }

    private static String answerOrNull(Socket s, String request) {
        try {
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            return read(s);
        } catch (IOException e) {
            return null;
        }
    }

    /** One whole message: headers, then Content-Length bytes of body. */
    private static String read(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        try {
            while (true) {
                int b = in.read();
                if (b < 0) {
                    return null;
                }
                head.write(b);
                String h = head.toString(StandardCharsets.US_ASCII);
                if (h.equals("\r\n")) {
                    head.reset(); // a pong between messages
                } else if (h.endsWith("\r\n\r\n")) {
                    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?im)^(?:Content-Length|l)\\s*:\\s*(\\d+)").matcher(h);
                    int body = m.find() ? Integer.parseInt(m.group(1)) : 0;
                    return h + new String(in.readNBytes(body), StandardCharsets.US_ASCII);
                }
            }
        } catch (SocketTimeoutException e) {
            return null;
        }
    }
}
