package eu.minivoice.gateway.sip.registration;

import com.fasterxml.jackson.databind.JsonNode;
import eu.minivoice.gateway.support.Dnsmasq;
import eu.minivoice.gateway.support.FreePorts;
import eu.minivoice.gateway.support.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static eu.minivoice.gateway.support.TestGateway.API_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * REGISTER over TLS. Debian's SIPp is built without TLS, so the carrier here is a minimal TLS
 * registrar written for the test (a real SSLServerSocket, real SIP text): it answers every
 * REGISTER with 200 and our Contact.
 */
class TlsRegistrationTest {
    private static final String PASSWORD = "test-keystore-pw";

    @TempDir
    static Path dir;
    static TestGateway gw;
    static SSLServerSocket registrar;
    static Dnsmasq dns;
    static SSLContext serverTls;
    static final List<String> received = new CopyOnWriteArrayList<>();
    /** When set, the registrar hangs up after each answer, as a carrier closing the connection. */
    static volatile boolean hangUpAfterAnswer;

    @BeforeAll
    static void start() throws Exception {
        Path ks = dir.resolve("tls.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "minivoice", "-keyalg", "EC", "-groupname",
                "secp256r1", "-dname", "CN=127.0.0.1", "-ext", "SAN=IP:127.0.0.1,DNS:carrier.test", "-validity", "2", "-keystore",
                ks.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD)
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, new String(p.getInputStream().readAllBytes()));
        // A trust store holds certificates as trusted entries (a key entry is no trust anchor).
        Path pem = dir.resolve("carrier.pem");
        Path trust = dir.resolve("trust.p12");
        for (String[] cmd : new String[][] {
                {keytool, "-exportcert", "-rfc", "-alias", "minivoice", "-keystore", ks.toString(), "-storepass", PASSWORD,
                        "-file", pem.toString()},
                {keytool, "-importcert", "-noprompt", "-alias", "carrier", "-file", pem.toString(), "-keystore",
                        trust.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD}}) {
            Process q = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            assertTrue(q.waitFor(60, TimeUnit.SECONDS) && q.exitValue() == 0, new String(q.getInputStream().readAllBytes()));
        }

        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = java.nio.file.Files.newInputStream(ks)) {
            store.load(in, PASSWORD.toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, PASSWORD.toCharArray());
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), null, null);
        serverTls = ssl;
        registrar = listen();
        // carrier.test and other.test both lead (SRV) to the registrar, whose certificate names the
        // address and carrier.test only.
        dns = Dnsmasq.start(300, List.of(
                "--srv-host=_sips._tcp.carrier.test,registrar.test," + registrar.getLocalPort() + ",10,10",
                "--srv-host=_sips._tcp.other.test,registrar.test," + registrar.getLocalPort() + ",10,10",
                "--host-record=registrar.test,127.0.0.1"));

        Map<String, String> env = TestGateway.env(dir.resolve("data"));
        env.put("MINIVOICE_SIP_DNS_SERVERS", dns.server());
        env.put("MINIVOICE_SIP_TLS_PORT", Integer.toString(FreePorts.next()));
        env.put("MINIVOICE_SIP_TLS_KEYSTORE", ks.toString());
        env.put("MINIVOICE_SIP_TLS_KEYSTORE_PASSWORD", PASSWORD);
        env.put("MINIVOICE_SIP_TLS_TRUSTSTORE", trust.toString());
        env.put("MINIVOICE_SIP_TLS_TRUSTSTORE_PASSWORD", PASSWORD);
        // No periodic look at the connections within these tests: a closed connection must be
        // reported by the transport itself (aClosedTlsConnectionRegistersAgainAtOnce).
        env.put("MINIVOICE_REGISTRATION_CONNECTION_CHECK_SECONDS", "3600");
        gw = TestGateway.start(dir.resolve("data"), env);
    }

    @AfterAll
    static void stop() throws Exception {
        if (gw != null) {
            gw.close();
        }
        if (registrar != null) {
            registrar.close();
        }
        if (dns != null) {
            dns.close();
        }

    }

    /** A registrar with the test certificate on a port of its own. */
    private static SSLServerSocket listen() throws java.io.IOException {
        SSLServerSocket server = (SSLServerSocket) serverTls.getServerSocketFactory().createServerSocket(0, 10,
                InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> serve(server), "tls-registrar");
        t.setDaemon(true);
        t.start();
        return server;
    }

    /** Accepts connections and answers each REGISTER on it with 200 OK. */
    private static void serve(SSLServerSocket server) {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread t = new Thread(() -> answer(s), "tls-registrar-conn");
                t.setDaemon(true);
                t.start();
            } catch (Exception closed) {
                return;
            }
        }
    }

    private static void answer(Socket s) {
        try (s) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = s.getOutputStream();
            while (true) {
                StringBuilder request = new StringBuilder();
                String line;
                while ((line = in.readLine()) != null && !line.isEmpty()) {
                    request.append(line).append("\r\n");
                }
                if (line == null) {
                    return;
                }
                String text = request.toString();
                if (text.isBlank()) {
                    continue; // CRLF keep-alive
                }
                received.add(text);
                StringBuilder resp = new StringBuilder("SIP/2.0 200 OK\r\n");
                for (String h : text.split("\r\n")) {
                    String lower = h.toLowerCase();
                    if (lower.startsWith("via:") || lower.startsWith("from:") || lower.startsWith("call-id:")
                            || lower.startsWith("cseq:")) {
                        resp.append(h).append("\r\n");
                    } else if (lower.startsWith("to:")) {
                        resp.append(h).append(";tag=reg1\r\n");
                    } else if (lower.startsWith("contact:")) {
                        String uri = h.substring(h.indexOf('<'), h.indexOf('>') + 1);
                        resp.append("Contact: ").append(uri).append(";expires=60\r\n");
                    }
                }
                resp.append("Content-Length: 0\r\n\r\n");
                out.write(resp.toString().getBytes(StandardCharsets.UTF_8));
                out.flush();
                if (hangUpAfterAnswer) {
                    return;
                }
            }
        } catch (Exception e) {
            // connection closed
        }
    }

    private static JsonNode awaitReged(String id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = gw.http.get("/v1/trunks/" + id, API_KEY).data();
            if (last.get("registration_status").asText().equals("REGED")) {
                return last;
            }
            Thread.sleep(100);
        }
        fail("not REGED over TLS: " + last);
        return null;
    }

    @Test
    void aClosedTlsConnectionRegistersAgainAtOnce() throws Exception {
        int port = registrar.getLocalPort();
        String id = gw.http.post("/v1/trunks", API_KEY, "{\"name\":\"tls-close\",\"proxy\":\"127.0.0.1:" + port
                + ";transport=tls\",\"username\":\"1002\",\"password\":\"pw\"}").data().get("id").asText();
        awaitReged(id);
        long before = received.stream().filter(r -> r.contains("sip:1002@")).count();
        hangUpAfterAnswer = true;
        try {
            // The next REGISTER (a refresh would be ~50 min away) must come soon after a hang-up; the
            // first one after the flag may be needed to trigger the hang-up itself.
            gw.http.patch("/v1/trunks/" + id, API_KEY, "{\"register_expires\":61}");
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < deadline && received.stream().filter(r -> r.contains("sip:1002@")).count() < before + 3) {
                Thread.sleep(100);
            }
            assertTrue(received.stream().filter(r -> r.contains("sip:1002@")).count() >= before + 3,
                    "registered again after the carrier hung up");
        } finally {
            hangUpAfterAnswer = false;
        }
        gw.http.delete("/v1/trunks/" + id, API_KEY);
    }

    /** The gateway's own TLS port (Netty, sip/transport): a carrier's OPTIONS over TLS is answered. */
    @Test
    void theGatewaysTlsPortAnswersACarrier() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = java.nio.file.Files.newInputStream(dir.resolve("trust.p12"))) {
            trust.load(in, PASSWORD.toCharArray());
        }
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext client = SSLContext.getInstance("TLS");
        client.init(null, tmf.getTrustManagers(), null);
        int port = gw.config().sip().tls().port();
        try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(5_000);
            s.startHandshake();
            assertTrue(List.of("TLSv1.3", "TLSv1.2").contains(s.getSession().getProtocol()), s.getSession().getProtocol());
            String local = "127.0.0.1:" + s.getLocalPort();
            s.getOutputStream().write(("OPTIONS sip:127.0.0.1:" + port + ";transport=tls SIP/2.0\r\n"
                    + "Via: SIP/2.0/TLS " + local + ";branch=z9hG4bK-tls-1\r\n"
                    + "Max-Forwards: 70\r\nFrom: <sip:probe@" + local + ">;tag=1\r\nTo: <sip:gw@127.0.0.1>\r\n"
                    + "Call-ID: tls-options-1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            String status = in.readLine();
            assertTrue(status != null && status.startsWith("SIP/2.0 200"), "answer: " + status);
        }
    }

    @Test
    void registersOverTlsWithTransportParamAndSipsUri() throws Exception {
        int port = registrar.getLocalPort();
        for (String proxy : new String[] {"127.0.0.1:" + port + ";transport=tls", "sips:127.0.0.1:" + port}) {
            String id = gw.http.post("/v1/trunks", API_KEY, "{\"name\":\"tls-" + proxy.hashCode() + "\",\"proxy\":\""
                    + proxy + "\",\"username\":\"1001\",\"password\":\"pw\"}").data().get("id").asText();
            awaitReged(id);
            assertEquals(204, gw.http.delete("/v1/trunks/" + id, API_KEY).status());
        }
        assertTrue(received.stream().anyMatch(r -> r.startsWith("REGISTER ") && r.contains("SIP/2.0/TLS")),
                String.join("\n---\n", received));
    }

    @Test
    void theCarriersCertificateMustNameTheProxyHostUnlessTheTrunkOptsOut() throws Exception {
        // The registrar's certificate names IP 127.0.0.1 only; "localhost" is the same socket under
        // a name the certificate does not carry (a carrier impersonated by a certificate for
        // another host, as far as the check can tell). A registrar of its own: no connection the
        // other tests opened (and verified for 127.0.0.1) can be reused.
        SSLServerSocket own = listen();
        int port = own.getLocalPort();
        long before = received.stream().filter(r -> r.contains("sip:1003@")).count();
        String id = gw.http.post("/v1/trunks", API_KEY, "{\"name\":\"tls-name\",\"proxy\":\"localhost:" + port
                + ";transport=tls\",\"username\":\"1003\",\"password\":\"pw\"}").data().get("id").asText();
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        JsonNode t = null;
        while (System.nanoTime() < deadline) {
            t = gw.http.get("/v1/trunks/" + id, API_KEY).data();
            JsonNode reason = t.get("registration").get("last_reason");
            if (reason != null && !reason.isNull() && !reason.asText().isEmpty()) {
                break;
            }
            Thread.sleep(100);
        }
        assertTrue(!t.get("registration_status").asText().equals("REGED"), t.toString());
        assertTrue(t.get("registration").get("last_reason").asText().contains("TLS handshake"),
                "the failed handshake is named at once (not a transaction timeout): " + t);
        assertEquals(before, received.stream().filter(r -> r.contains("sip:1003@")).count(),
                "no REGISTER (with the user's credentials) went over the unverified connection");
        // Opting out: registered, and the readiness test warns.
        assertEquals(200, gw.http.patch("/v1/trunks/" + id, API_KEY, "{\"tls_verify_hostname\":false}").status());
        awaitReged(id);
        JsonNode test = gw.http.post("/v1/trunks/" + id + "/test", API_KEY, "").data();
        assertTrue(test.get("warnings").toString().contains("tls_verify_hostname is off"), test.toString());
        assertEquals(204, gw.http.delete("/v1/trunks/" + id, API_KEY).status());
        own.close();
    }

    /**
     * A proxy given as a name and found through SRV (RFC 3263) is checked against that name (RFC
     * 5922 §4), not against the SRV target or the address: other.test leads to the same server, whose
     * certificate names 127.0.0.1 and carrier.test — an address check would let it through, and so
     * would reusing the connection carrier.test's trunk opened (and verified) to that address.
     */
    @Test
    void aProxyFoundThroughSrvMustPresentACertificateForTheNameTheCustomerWrote() throws Exception {
        String good = gw.http.post("/v1/trunks", API_KEY, "{\"name\":\"tls-srv\",\"proxy\":\"sips:carrier.test\","
                + "\"username\":\"1004\",\"password\":\"pw\"}").data().get("id").asText();
        awaitReged(good);
        assertTrue(received.stream().anyMatch(r -> r.startsWith("REGISTER sip:carrier.test;transport=tls ")
                && r.contains("sip:1004@")), "the REGISTER names the domain: " + String.join("\n---\n", received));

        long before = received.stream().filter(r -> r.contains("sip:1005@")).count();
        String bad = gw.http.post("/v1/trunks", API_KEY, "{\"name\":\"tls-srv-other\",\"proxy\":\"sips:other.test\","
                + "\"username\":\"1005\",\"password\":\"pw\"}").data().get("id").asText();
        JsonNode t = eu.minivoice.gateway.support.Await.until("a failed TLS handshake",
                () -> gw.http.get("/v1/trunks/" + bad, API_KEY).data(),
                n -> n.at("/registration/last_reason").asText("").contains("TLS handshake"), Duration.ofSeconds(15));
        assertTrue(!t.get("registration_status").asText().equals("REGED"), t.toString());
        assertEquals(before, received.stream().filter(r -> r.contains("sip:1005@")).count(),
                "no REGISTER went to a server that could not prove it is other.test");
        assertEquals(204, gw.http.delete("/v1/trunks/" + good, API_KEY).status());
        assertEquals(204, gw.http.delete("/v1/trunks/" + bad, API_KEY).status());
    }
}
