package eu.minivoice.gateway.sip.registration;

import com.fasterxml.jackson.databind.JsonNode;
import eu.minivoice.gateway.support.Await;
import eu.minivoice.gateway.support.Http.Reply;
import eu.minivoice.gateway.support.Sipp;
import eu.minivoice.gateway.support.SharedGateway;
import eu.minivoice.gateway.support.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;

import static eu.minivoice.gateway.support.TestGateway.API_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The registration engine against SIPp playing the carrier's registrar, on loopback. */
class RegistrationScenarioTest {
    /** Short answer timeout and backoff, so failure paths finish in seconds. */
    @RegisterExtension
    static final SharedGateway shared = new SharedGateway(env -> {
        env.put("MINIVOICE_REGISTRATION_ANSWER_TIMEOUT_SECONDS", "3");
        env.put("MINIVOICE_REGISTRATION_BACKOFF_MIN_SECONDS", "1");
        env.put("MINIVOICE_REGISTRATION_BACKOFF_MAX_SECONDS", "2");
    });

    private static String createTrunk(String name, int registrarPort, String password) {
        Reply r = shared.gw().http.post("/v1/trunks", API_KEY, "{\"name\":\"" + name + "\",\"proxy\":\"127.0.0.1:" + registrarPort
                + "\",\"username\":\"1001\",\"password\":\"" + password + "\",\"realm\":\"sip.example.net\","
                + "\"register_expires\":60}");
        assertEquals(201, r.status(), r.body());
        return r.data().get("id").asText();
    }

    /** Polls the trunk until the condition holds (a deadline, never a fixed sleep). */
    private static JsonNode awaitTrunk(String id, Predicate<JsonNode> condition, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = shared.gw().http.get("/v1/trunks/" + id, API_KEY).data();
            if (condition.test(last)) {
                return last;
            }
            Thread.sleep(100);
        }
        fail("condition not met within " + within + "; last: " + last);
        return null;
    }

    private static String codes(JsonNode timeline) {
        StringBuilder codes = new StringBuilder();
        timeline.get("transactions").forEach(tx -> codes.append(tx.get("code").asInt()).append(' '));
        return codes.toString();
    }

    @Test
    void registersWithDigestAndRefreshesBeforeExpiry() throws Exception {
        try (Sipp registrar = Sipp.start("carrier-registrar-401-then-200.xml", null)) {
            String id = createTrunk("reg-ok", registrar.port, "secret-1001");
            JsonNode t = awaitTrunk(id, n -> n.get("registration_status").asText().equals("REGED"), Duration.ofSeconds(10));
            assertEquals(200, t.get("registration").get("last_code").asInt());
            assertTrue(t.get("registration").get("expires_at").isTextual());
            Sipp.Result result = registrar.await(); // passes only after the challenged refresh
            assertEquals(0, result.exitCode(), result.output());
            // SIPp ends as it sends the last 200; the gateway records it a moment later.
            JsonNode timeline = Await.until("the challenged refresh in the timeline",
                    () -> shared.gw().http.get("/v1/trunks/" + id + "/registration", API_KEY).data(),
                    n -> codes(n).startsWith("401 200 401 200"), Duration.ofSeconds(5));
            assertEquals("REGED", timeline.get("registration_status").asText());
            assertEquals(12, timeline.get("transactions").get(1).get("granted_expires").asInt());

            // Every status change is stored as a trunk.registration_changed event.
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            String changes = "";
            while (System.nanoTime() < deadline) {
                StringBuilder b = new StringBuilder();
                for (JsonNode e : shared.gw().http.get("/v1/events?type=trunk.registration_changed&limit=1000", API_KEY).data()) {
                    if (e.get("trunk").get("id").asText().equals(id)) {
                        b.insert(0, e.get("data").get("registration_status").asText() + " ");
                    }
                }
                changes = b.toString();
                if (changes.contains("REGED")) {
                    break;
                }
                Thread.sleep(100);
            }
            assertEquals("TRYING REGISTER REGED ", changes);
            assertEquals(204, shared.gw().http.delete("/v1/trunks/" + id, API_KEY).status());
        }
    }

    @Test
    void registersOverTcp() throws Exception {
        try (Sipp registrar = Sipp.start("carrier-registrar-407-then-200.xml", null, "-t", "t1")) {
            Reply r = shared.gw().http.post("/v1/trunks", API_KEY, "{\"name\":\"reg-tcp\",\"proxy\":\"127.0.0.1:" + registrar.port
                    + ";transport=tcp\",\"username\":\"1001\",\"password\":\"secret-1001\"}");
            String id = r.data().get("id").asText();
            awaitTrunk(id, n -> n.get("registration_status").asText().equals("REGED"), Duration.ofSeconds(10));
            Sipp.Result result = registrar.await();
            assertEquals(0, result.exitCode(), result.output());
            shared.gw().http.delete("/v1/trunks/" + id, API_KEY);
        }
    }

    @Test
    void aWrongPasswordEndsInFailed() throws Exception {
        try (Sipp registrar = Sipp.start("carrier-registrar-401-then-200.xml", null)) {
            String id = createTrunk("reg-bad", registrar.port, "not-the-password");
            JsonNode t = awaitTrunk(id, n -> n.get("registration").get("last_code").asInt() == 403,
                    Duration.ofSeconds(10));
            assertEquals("FAILED", t.get("registration_status").asText());
            assertTrue(t.get("registration").get("next_attempt_at").isTextual(), "FAILED still retries later");
            assertEquals(204, shared.gw().http.delete("/v1/trunks/" + id, API_KEY).status());
        }
    }

    @Test
    void aSilentRegistrarTimesOutIntoFailWait() throws Exception {
        // Nobody listens on this port: no answer at all.
        String id = createTrunk("reg-silent", eu.minivoice.gateway.support.FreePorts.next(), "x");
        JsonNode t = awaitTrunk(id, n -> n.get("registration_status").asText().equals("FAIL_WAIT"), Duration.ofSeconds(10));
        assertTrue(t.get("registration").get("last_reason").asText().contains("no answer"), t.toString());
        assertEquals(204, shared.gw().http.delete("/v1/trunks/" + id, API_KEY).status());
    }

    @Test
    void answersAProxyChallengeWithProxyAuthorization() throws Exception {
        try (Sipp registrar = Sipp.start("carrier-registrar-407-then-200.xml", null)) {
            String id = createTrunk("reg-407", registrar.port, "secret-1001");
            awaitTrunk(id, n -> n.get("registration_status").asText().equals("REGED"), Duration.ofSeconds(10));
            assertEquals(0, registrar.await().exitCode());
            shared.gw().http.delete("/v1/trunks/" + id, API_KEY);
        }
    }

    @Test
    void intervalTooBriefIsRetriedWithMinExpires() throws Exception {
        try (Sipp registrar = Sipp.start("carrier-registrar-423-min-expires.xml", null)) {
            String id = createTrunk("reg-423", registrar.port, "secret-1001");
            JsonNode t = awaitTrunk(id, n -> n.get("registration_status").asText().equals("REGED"), Duration.ofSeconds(10));
            Sipp.Result r = registrar.await();
            assertEquals(0, r.exitCode(), r.output());
            long granted = java.time.Duration.between(java.time.Instant.parse(t.get("registration").get("last_registered_at").asText()),
                    java.time.Instant.parse(t.get("registration").get("expires_at").asText())).toSeconds();
            assertEquals(1800, granted);
            shared.gw().http.delete("/v1/trunks/" + id, API_KEY);
        }
    }

    @Test
    void forbiddenEndsInFailed() throws Exception {
        try (Sipp registrar = Sipp.start("carrier-registrar-403.xml", null)) {
            String id = createTrunk("reg-403", registrar.port, "secret-1001");
            JsonNode t = awaitTrunk(id, n -> n.get("registration_status").asText().equals("FAILED"), Duration.ofSeconds(10));
            assertEquals(403, t.get("registration").get("last_code").asInt());
            assertEquals(0, registrar.await().exitCode());
            shared.gw().http.delete("/v1/trunks/" + id, API_KEY);
        }
    }

    @Test
    void aRegistrarThatComesBackIsRegisteredWithLater() throws Exception {
        int port = eu.minivoice.gateway.support.FreePorts.next();
        String id = createTrunk("reg-later", port, "secret-1001");
        awaitTrunk(id, n -> n.get("registration_status").asText().equals("FAIL_WAIT"), Duration.ofSeconds(10));
        try (Sipp registrar = Sipp.startOnPort("carrier-registrar-200-then-unregister.xml", port)) {
            awaitTrunk(id, n -> n.get("registration_status").asText().equals("REGED"), Duration.ofSeconds(15));
            assertEquals(204, shared.gw().http.delete("/v1/trunks/" + id, API_KEY).status());
            Sipp.Result r = registrar.await(); // passes only when the un-REGISTER arrived
            assertEquals(0, r.exitCode(), r.output());
        }
    }

    @Test
    void deactivatingUnregisters() throws Exception {
        try (Sipp registrar = Sipp.start("carrier-registrar-200-then-unregister.xml", null)) {
            String id = createTrunk("reg-off", registrar.port, "secret-1001");
            awaitTrunk(id, n -> n.get("registration_status").asText().equals("REGED"), Duration.ofSeconds(10));
            Reply off = shared.gw().http.patch("/v1/trunks/" + id, API_KEY, "{\"is_active\":false}");
            assertEquals("UNREGED", off.data().get("registration_status").asText());
            Sipp.Result r = registrar.await();
            assertEquals(0, r.exitCode(), r.output());
            shared.gw().http.delete("/v1/trunks/" + id, API_KEY);
        }
    }

    @Test
    void credentialsAreNotSentToAChallengeFromAnotherAddress() throws Exception {
        // The trunk's proxy is 127.0.0.2; SIPp listens on every address, so its 401 comes back from
        // 127.0.0.1 (the kernel picks the source for a reply to 127.0.0.1): another host.
        int port = eu.minivoice.gateway.support.FreePorts.next();
        try (Sipp registrar = Sipp.startOnPort("carrier-registrar-401-then-200.xml", port, "-i", "0.0.0.0")) {
            Reply r = shared.gw().http.post("/v1/trunks", API_KEY, "{\"name\":\"reg-leak\",\"proxy\":\"127.0.0.2:" + port
                    + "\",\"username\":\"1001\",\"password\":\"secret-1001\",\"realm\":\"sip.example.net\"}");
            String id = r.data().get("id").asText();
            JsonNode t = awaitTrunk(id, n -> n.get("registration").get("last_reason").asText("").contains("withheld"),
                    Duration.ofSeconds(10));
            assertEquals("FAIL_WAIT", t.get("registration_status").asText());
            assertEquals(401, t.get("registration").get("last_code").asInt());
            shared.gw().http.delete("/v1/trunks/" + id, API_KEY);
        }
    }

    @Test
    void aTlsTrunkOnAGatewayWithoutTlsSaysSo() throws Exception {
        Reply r = shared.gw().http.post("/v1/trunks", API_KEY, "{\"name\":\"reg-tls\",\"proxy\":\"sips:127.0.0.1:5999\","
                + "\"username\":\"1001\",\"password\":\"x\"}");
        String id = r.data().get("id").asText();
        JsonNode t = awaitTrunk(id, n -> n.get("registration_status").asText().equals("FAIL_WAIT"), Duration.ofSeconds(5));
        assertTrue(t.get("registration").get("last_reason").asText().contains("TLS is off on this gateway"), t.toString());
        shared.gw().http.delete("/v1/trunks/" + id, API_KEY);
    }

    @Test
    void changingTheProxyUnregistersThereAndRegistersAtTheNewOne() throws Exception {
        try (Sipp oldRegistrar = Sipp.start("carrier-registrar-200-then-unregister.xml", null);
             Sipp newRegistrar = Sipp.start("carrier-registrar-401-then-200.xml", null)) {
            String id = createTrunk("reg-move", oldRegistrar.port, "secret-1001");
            awaitTrunk(id, n -> n.get("registration_status").asText().equals("REGED"), Duration.ofSeconds(10));
            Reply moved = shared.gw().http.patch("/v1/trunks/" + id, API_KEY, "{\"proxy\":\"127.0.0.1:" + newRegistrar.port + "\"}");
            assertEquals(200, moved.status(), moved.body());
            Sipp.Result old = oldRegistrar.await(); // passes only once the un-REGISTER arrived
            assertEquals(0, old.exitCode(), old.output());
            JsonNode t = awaitTrunk(id, n -> n.get("registration_status").asText().equals("REGED")
                    && n.get("registration").get("last_code").asInt() == 200
                    && timelineTargets(id).contains("401"), Duration.ofSeconds(10));
            assertEquals("REGED", t.get("registration_status").asText());
            shared.gw().http.delete("/v1/trunks/" + id, API_KEY);
        }
    }

    private static String timelineTargets(String id) {
        StringBuilder b = new StringBuilder();
        shared.gw().http.get("/v1/trunks/" + id + "/registration", API_KEY).data().get("transactions")
                .forEach(tx -> b.append(tx.get("code").asText()).append(' '));
        return b.toString();
    }

    @Test
    void gatewayShutdownUnregisters(@TempDir Path other) throws Exception {
        try (Sipp registrar = Sipp.start("carrier-registrar-200-then-unregister.xml", null)) {
            TestGateway second = TestGateway.start(other);
            try {
                Reply r = second.http.post("/v1/trunks", API_KEY, "{\"name\":\"reg-stop\",\"proxy\":\"127.0.0.1:"
                        + registrar.port + "\",\"username\":\"1001\",\"password\":\"secret-1001\"}");
                String id = r.data().get("id").asText();
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (System.nanoTime() < deadline && !second.http.get("/v1/trunks/" + id, API_KEY).data()
                        .get("registration_status").asText().equals("REGED")) {
                    Thread.sleep(100);
                }
            } finally {
                second.close(); // un-REGISTERs before it stops
            }
            Sipp.Result result = registrar.await();
            assertEquals(0, result.exitCode(), result.output());
        }
    }

    @Test
    void aClosedTcpConnectionRegistersAgainAtOnce() throws Exception {
        int port = eu.minivoice.gateway.support.FreePorts.next();
        String id;
        try (Sipp first = Sipp.startOnPort("carrier-registrar-200.xml", port, "-t", "t1")) {
            Reply r = shared.gw().http.post("/v1/trunks", API_KEY, "{\"name\":\"reg-tcp-close\",\"proxy\":\"127.0.0.1:" + port
                    + ";transport=tcp\",\"username\":\"1001\",\"password\":\"x\",\"register_expires\":60}");
            id = r.data().get("id").asText();
            awaitTrunk(id, n -> n.get("registration_status").asText().equals("REGED"), Duration.ofSeconds(10));
            assertEquals(0, first.await().exitCode()); // SIPp exits: the carrier closed the connection
        }
        long closedAt = System.nanoTime();
        try (Sipp second = Sipp.startOnPort("carrier-registrar-200.xml", port, "-t", "t1")) {
            Sipp.Result r = second.await(); // passes only if a new REGISTER arrives
            assertEquals(0, r.exitCode(), r.output());
            // The refresh would come after ~45 s; the close must be noticed within the check interval.
            assertTrue(Duration.ofNanos(System.nanoTime() - closedAt).toSeconds() < 15);
        }
        shared.gw().http.delete("/v1/trunks/" + id, API_KEY);
    }

    @Test
    void aTrunkWithoutRegistrationStaysNoreg() {
        Reply r = shared.gw().http.post("/v1/trunks", API_KEY, "{\"name\":\"ipauth\",\"proxy\":\"127.0.0.1:5999\"}");
        assertEquals("NOREG", r.data().get("registration_status").asText());
    }
}
