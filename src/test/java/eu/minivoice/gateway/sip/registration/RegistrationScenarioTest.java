package eu.minivoice.gateway.sip.registration;

import com.fasterxml.jackson.databind.JsonNode;
import eu.minivoice.gateway.support.Http.Reply;
import eu.minivoice.gateway.support.Sipp;
import eu.minivoice.gateway.support.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;

import static eu.minivoice.gateway.support.TestGateway.API_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The registration engine against SIPp playing the carrier's registrar, on loopback. */
class RegistrationScenarioTest {
    @TempDir
    static Path data;
    static TestGateway gw;

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> env = TestGateway.env(data);
        env.put("MINIVOICE_REGISTRATION_ANSWER_TIMEOUT_SECONDS", "3");
        env.put("MINIVOICE_REGISTRATION_BACKOFF_MIN_SECONDS", "1");
        env.put("MINIVOICE_REGISTRATION_BACKOFF_MAX_SECONDS", "2");
        gw = TestGateway.start(data, env);
    }

    @AfterAll
    static void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    private static String createTrunk(String name, int registrarPort, String password) {
        Reply r = gw.http.post("/v1/trunks", API_KEY, "{\"name\":\"" + name + "\",\"proxy\":\"127.0.0.1:" + registrarPort
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
            last = gw.http.get("/v1/trunks/" + id, API_KEY).data();
            if (condition.test(last)) {
                return last;
            }
            Thread.sleep(100);
        }
        fail("condition not met within " + within + "; last: " + last);
        return null;
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
            JsonNode timeline = gw.http.get("/v1/trunks/" + id + "/registration", API_KEY).data();
            assertEquals("REGED", timeline.get("registration_status").asText());
            StringBuilder codes = new StringBuilder();
            timeline.get("transactions").forEach(tx -> codes.append(tx.get("code").asInt()).append(' '));
            assertTrue(codes.toString().startsWith("401 200 401 200"), codes.toString());
            assertEquals(12, timeline.get("transactions").get(1).get("granted_expires").asInt());
            assertEquals(204, gw.http.delete("/v1/trunks/" + id, API_KEY).status());
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
            assertEquals(204, gw.http.delete("/v1/trunks/" + id, API_KEY).status());
        }
    }

    @Test
    void aSilentRegistrarTimesOutIntoFailWait() throws Exception {
        // Nobody listens on this port: no answer at all.
        String id = createTrunk("reg-silent", eu.minivoice.gateway.support.FreePorts.next(), "x");
        JsonNode t = awaitTrunk(id, n -> n.get("registration_status").asText().equals("FAIL_WAIT"), Duration.ofSeconds(10));
        assertTrue(t.get("registration").get("last_reason").asText().contains("no answer"), t.toString());
        assertEquals(204, gw.http.delete("/v1/trunks/" + id, API_KEY).status());
    }

    @Test
    void aTrunkWithoutRegistrationStaysNoreg() {
        Reply r = gw.http.post("/v1/trunks", API_KEY, "{\"name\":\"ipauth\",\"proxy\":\"127.0.0.1:5999\"}");
        assertEquals("NOREG", r.data().get("registration_status").asText());
    }
}
