package eu.minivoice.gateway.sip;

import com.fasterxml.jackson.databind.ObjectMapper;
import eu.minivoice.gateway.support.Await;
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

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static eu.minivoice.gateway.support.TestGateway.API_KEY;
import static eu.minivoice.gateway.support.TestGateway.OPERATOR_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/security.md rule 4: a customer whose carriers and forward targets never answer (a TCP black
 * hole: a listening socket whose accept backlog is full, so connects hang) costs only its own
 * trunks and calls. Meanwhile another customer registers, gets its inbound call decided by its
 * webhook, and uses the API at normal speed.
 */
class BlackHoleIsolationTest {
    @RegisterExtension
    static final SharedGateway shared = new SharedGateway();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static ServerSocket hole;
    private static final List<Socket> filling = new ArrayList<>();
    private static WebhookReceiver webhook;
    private static String keyA;

    @BeforeAll
    static void aBlackHoleAndTwoCustomers() throws Exception {
        hole = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        for (int i = 0; i < 3; i++) { // backlog 1 holds two; later connects hang
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), hole.getLocalPort()), 300);
                filling.add(s);
            } catch (Exception full) {
                s.close();
            }
        }
        int bh = hole.getLocalPort();
        webhook = new WebhookReceiver();
        webhook.respond(r -> {
            try {
                String to = JSON.readTree(r.body()).get("call").get("to").asText();
                return to.equals("+15557000001")
                        ? Answer.json("{\"actions\":[{\"type\":\"forward\",\"to\":\"sip:agent@127.0.0.1:" + bh
                                + ";transport=tcp\",\"timeout\":20}]}")
                        : Answer.json("{\"actions\":[{\"type\":\"reject\",\"status\":486}]}");
            } catch (Exception e) {
                return Answer.of(500);
            }
        });
        Reply a = shared.gw().http.post("/v1/customers", OPERATOR_KEY, "{\"name\":\"Black hole owner\"}");
        keyA = a.data().get("api_key").asText();
        String appA = new TestApplications(shared.gw().http, keyA).create("\"webhook_url\":\"" + webhook.url("/a") + "\"");
        assertEquals(201, shared.gw().http.post("/v1/trunks", keyA, "{\"name\":\"in-a\",\"proxy\":\"127.0.0.4\","
                + "\"inbound_ip\":\"127.0.0.4\",\"application_id\":\"" + appA + "\"}").status());
        String appB = new TestApplications(shared.gw().http, API_KEY).create("\"webhook_url\":\"" + webhook.url("/b") + "\"");
        assertEquals(201, shared.gw().http.post("/v1/trunks", API_KEY, "{\"name\":\"in-b\",\"proxy\":\"127.0.0.5\","
                + "\"inbound_ip\":\"127.0.0.5\",\"application_id\":\"" + appB + "\"}").status());
    }

    @AfterAll
    static void close() throws Exception {
        webhook.close();
        for (Socket s : filling) {
            s.close();
        }
        hole.close();
    }

    @Test
    void oneCustomersUnreachablePeersCostOnlyItsOwnTrunksAndCalls() throws Exception {
        int bh = hole.getLocalPort();
        // A: trunks that register to the black hole over TCP, readiness tests hammered, and inbound
        // calls whose webhook forwards them to the black hole.
        List<String> trunksA = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Reply t = shared.gw().http.post("/v1/trunks", keyA, "{\"name\":\"hole-" + i + "\",\"proxy\":\"127.0.0.1:" + bh
                    + ";transport=tcp\",\"username\":\"u" + i + "\",\"password\":\"p\",\"direction\":\"outbound\"}");
            assertEquals(201, t.status(), t.body());
            trunksA.add(t.data().get("id").asText());
        }
        ExecutorService load = Executors.newFixedThreadPool(6);
        List<Future<Integer>> tests = new ArrayList<>();
        List<Sipp> callsA = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                callsA.add(Sipp.start("carrier-uac-inbound-call.xml", "127.0.0.1:" + shared.gw().sipExternalPort(),
                        "-i", "127.0.0.4", "-key", "to", "+15557000001"));
            }
            for (String id : trunksA.subList(0, 4)) {
                tests.add(load.submit(() -> shared.gw().http.post("/v1/trunks/" + id + "/test", keyA, "").status()));
            }
            Thread.sleep(200); // A's connects are hanging now

            // B registers at once (its REGISTER does not queue behind A's hanging connects) ...
            long t0 = System.nanoTime();
            try (Sipp registrar = Sipp.start("carrier-registrar-200.xml", null)) {
                Reply t = shared.gw().http.post("/v1/trunks", API_KEY, "{\"name\":\"reg-b\",\"proxy\":\"127.0.0.1:"
                        + registrar.port + "\",\"username\":\"b1\",\"password\":\"pw\",\"direction\":\"outbound\"}");
                assertEquals(201, t.status(), t.body());
                String id = t.data().get("id").asText();
                Await.until("B REGED", () -> shared.gw().http.get("/v1/trunks/" + id, API_KEY).data(),
                        n -> n.get("registration_status").asText().equals("REGED"), Duration.ofSeconds(5));
            }
            long registerMs = (System.nanoTime() - t0) / 1_000_000;
            // ... its inbound call is decided by its webhook at normal speed ...
            long t1 = System.nanoTime();
            Sipp.Result callB = Sipp.run("carrier-uac-inbound-expect-486.xml", "127.0.0.1:" + shared.gw().sipExternalPort(),
                    "-i", "127.0.0.5", "-key", "to", "+15557000002");
            long callMs = (System.nanoTime() - t1) / 1_000_000;
            assertEquals(0, callB.exitCode(), callB.output());
            // ... and its API answers at once.
            long worstApiMs = 0;
            for (int i = 0; i < 10; i++) {
                long s = System.nanoTime();
                assertEquals(200, shared.gw().http.get("/v1/trunks", API_KEY).status());
                worstApiMs = Math.max(worstApiMs, (System.nanoTime() - s) / 1_000_000);
            }
            assertTrue(registerMs < 3_000, "B registered in " + registerMs + " ms");
            assertTrue(callMs < 3_000, "B's call was decided in " + callMs + " ms");
            assertTrue(worstApiMs < 1_000, "B's slowest API call took " + worstApiMs + " ms");

            // A's readiness tests end (answered, or refused at once when one of A's was running).
            for (Future<Integer> f : tests) {
                int status = f.get();
                assertTrue(status == 200 || status == 429, "readiness test: " + status);
            }
        } finally {
            load.shutdownNow();
            callsA.forEach(Sipp::close);
        }
        // A's own trunks report what happened to them.
        Reply hole0 = shared.gw().http.get("/v1/trunks/" + trunksA.get(0), keyA);
        assertTrue(!hole0.data().get("registration_status").asText().equals("REGED"), hole0.body());
    }

    @Test
    void readinessTestsRunOneAtATimePerCustomer() throws Exception {
        // A silent carrier (UDP, never answers): a test waits the whole probe timeout.
        try (java.net.DatagramSocket silent = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            String idA = shared.gw().http.post("/v1/trunks", keyA, "{\"name\":\"silent-a\",\"proxy\":\"127.0.0.1:"
                    + silent.getLocalPort() + "\",\"register\":false}").data().get("id").asText();
            String idB = shared.gw().http.post("/v1/trunks", API_KEY, "{\"name\":\"silent-b\",\"proxy\":\"127.0.0.1:"
                    + silent.getLocalPort() + "\",\"register\":false}").data().get("id").asText();
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                Future<Integer> first = pool.submit(() -> shared.gw().http.post("/v1/trunks/" + idA + "/test", keyA, "")
                        .status());
                Thread.sleep(500);
                Reply second = shared.gw().http.post("/v1/trunks/" + idA + "/test", keyA, "");
                assertEquals(429, second.status(), second.body());
                assertEquals("rate_limited", second.errorCode());
                assertTrue(second.headers().firstValue("Retry-After").isPresent());
                // Another customer's test is not refused meanwhile.
                Future<Integer> other = pool.submit(() -> shared.gw().http.post("/v1/trunks/" + idB + "/test", API_KEY, "")
                        .status());
                assertEquals(200, other.get().intValue());
                assertEquals(200, first.get().intValue());
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
