package eu.minivoice.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import eu.minivoice.gateway.support.Http;
import eu.minivoice.gateway.support.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static eu.minivoice.gateway.support.TestGateway.API_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the API accepted is still there after a restart; the first-start key is shown once. */
class PersistenceTest {

    @Test
    void trunksAndKeysSurviveARestart(@TempDir Path data) throws Exception {
        JsonNode created;
        try (TestGateway first = TestGateway.start(data)) {
            Http.Reply r = first.http.post("/v1/trunks", API_KEY, "{\"name\":\"persisted\",\"proxy\":\"sip:p.example.com:5070\","
                    + "\"username\":\"u\",\"password\":\"pw-123\",\"inbound_ip\":\"2001:db8::/48\",\"max_cps\":10}");
            assertEquals(201, r.status(), r.body());
            created = r.data();
        }
        try (TestGateway second = TestGateway.start(data)) {
            Http.Reply list = second.http.get("/v1/trunks", API_KEY);
            assertEquals(1, list.json().get("count").asInt());
            assertEquals(TrunkApiTest.stable(created), TrunkApiTest.stable(list.data().get(0)));
            assertTrue(list.data().get(0).get("password_set").asBoolean());
        }
    }

    @Test
    void aGeneratedKeyIsShownOnceAndWorksAfterRestart(@TempDir Path data) throws Exception {
        Map<String, String> env = TestGateway.env(data);
        env.remove("MINIVOICE_API_KEY");
        String key;
        try (TestGateway first = TestGateway.start(data, env)) {
            assertEquals(1, first.console.size(), "the generated key is shown once");
            String line = first.console.get(0);
            key = line.substring(line.lastIndexOf(' ') + 1);
            assertTrue(key.startsWith("mvk_"), line);
            assertEquals("{\"data\":[],\"count\":0,\"next_cursor\":null}", first.http.get("/v1/trunks", key).body());
        }
        Map<String, String> env2 = TestGateway.env(data);
        env2.remove("MINIVOICE_API_KEY");
        try (TestGateway second = TestGateway.start(data, env2)) {
            assertTrue(second.console.isEmpty(), "no key is generated again");
            assertEquals(200, second.http.get("/v1/trunks", key).status());
        }
    }
}
