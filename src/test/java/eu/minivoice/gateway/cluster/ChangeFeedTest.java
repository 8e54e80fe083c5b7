package eu.minivoice.gateway.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import eu.minivoice.gateway.support.Http;
import eu.minivoice.gateway.support.Postgres;
import eu.minivoice.gateway.support.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.function.Predicate;

import static eu.minivoice.gateway.support.TestGateway.API_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Changes made through one node's API reach the other node's in-memory indexes (docs/scale-out.md):
 * node-b's inbound matcher — the one the SIP side uses, asked through /v1/trunks/match — sees a
 * trunk and a number created on node-a within a second, and their removal; a change that came with
 * no notification at all is found by the periodic reconcile.
 */
class ChangeFeedTest {
    private static final String IP = "198.51.100.41";
    private static final String DID = "%2B15557770001";

    private static TestGateway node(Path dir, String id, String url, String secretKey) throws Exception {
        return TestGateway.clusterNode(dir, id, url, secretKey, Map.of("MINIVOICE_NODE_RECONCILE_SECONDS", "2"));
    }

    private static JsonNode awaitMatch(Http http, Predicate<JsonNode> ok, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        JsonNode last;
        do {
            last = http.get("/v1/trunks/match?ip=" + IP + "&to=" + DID, API_KEY).data();
            if (ok.test(last)) {
                return last;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        fail("node-b's matcher did not change within " + within + ": " + last);
        return last;
    }

    @Test
    void trunksAndNumbersMadeOnOneNodeReachTheOthersIndexesWithinASecond(@TempDir Path a, @TempDir Path b)
            throws Exception {
        String url = Postgres.shared().newDatabase();
        String key = Base64.getEncoder().encodeToString(new byte[32]);
        try (TestGateway nodeA = node(a, "node-a", url, key); TestGateway nodeB = node(b, "node-b", url, key)) {
            awaitMatch(nodeB.http, m -> m.path("trunk_id").isMissingNode(), Duration.ofSeconds(1));

            String trunk = nodeA.http.post("/v1/trunks", API_KEY, "{\"name\":\"feed\",\"proxy\":\"sip.example.net\","
                    + "\"inbound_ip\":\"" + IP + "\"}").data().get("id").asText();
            JsonNode m = awaitMatch(nodeB.http, r -> r.path("trunk_id").asText().equals(trunk), Duration.ofSeconds(1));
            assertEquals("refused", m.get("result").asText(), "no number or application yet: " + m);

            String app = nodeA.http.post("/v1/applications", API_KEY, "{\"name\":\"feed-app\",\"webhook_url\":"
                    + "\"http://127.0.0.1:9/hook\"}").data().get("id").asText();
            String number = nodeA.http.post("/v1/numbers", API_KEY, "{\"number\":\"+15557770001\",\"trunk_id\":\""
                    + trunk + "\",\"application_id\":\"" + app + "\"}").data().get("id").asText();
            m = awaitMatch(nodeB.http, r -> r.path("number_id").asText().equals(number), Duration.ofSeconds(1));
            assertEquals("routed", m.get("result").asText(), m.toString());

            assertEquals(204, nodeA.http.delete("/v1/numbers/" + number, API_KEY).status());
            assertEquals(204, nodeA.http.delete("/v1/trunks/" + trunk, API_KEY).status());
            awaitMatch(nodeB.http, r -> r.path("trunk_id").isMissingNode(), Duration.ofSeconds(1));

            // A change nobody announced (written straight to the database): the reconcile finds it.
            String again = nodeA.http.post("/v1/trunks", API_KEY, "{\"name\":\"feed-2\",\"proxy\":\"sip.example.net\","
                    + "\"inbound_ip\":\"" + IP + "\"}").data().get("id").asText();
            awaitMatch(nodeB.http, r -> r.path("trunk_id").asText().equals(again), Duration.ofSeconds(1));
            try (Connection c = DriverManager.getConnection(url, Postgres.USER, "");
                 Statement st = c.createStatement()) {
                assertEquals(1, st.executeUpdate("UPDATE trunks SET is_active = false, updated_at = now() WHERE id = '"
                        + again + "'"));
            }
            awaitMatch(nodeB.http, r -> r.path("trunk_id").isMissingNode(), Duration.ofSeconds(6));
        }
    }
}
