package eu.minivoice.gateway.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import eu.minivoice.gateway.support.Await;
import eu.minivoice.gateway.support.FreePorts;
import eu.minivoice.gateway.support.Http.Reply;
import eu.minivoice.gateway.support.Postgres;
import eu.minivoice.gateway.support.Sipp;
import eu.minivoice.gateway.support.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import static eu.minivoice.gateway.support.TestGateway.API_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * DELETE /v1/calls/{id} reaches the node that carries the call (docs/scale-out.md): two gateways
 * on one real PostgreSQL, a call placed through node-a's API with SIPp playing the carrier and the
 * platform, ended through node-b's API — both SIPp legs must get their BYE from node-a. Another
 * customer's DELETE on node-b ends nothing, and a second DELETE finds the call over.
 */
class HangUpAcrossNodesTest {
    private static final String FROM = "+15551230001";
    private static final String TO = "+15551230451";

    private static TestGateway node(Path dir, String id, String url, String secretKey) throws Exception {
        return TestGateway.clusterNode(dir, id, url, secretKey, Map.of());
    }

    private static JsonNode awaitRecord(TestGateway on, String id, java.util.function.Predicate<JsonNode> ok) {
        return Await.until("call record " + id + " on another node", () -> {
            Reply r = on.http.get("/v1/calls/" + id, API_KEY);
            return r.status() == 200 ? r.data() : null;
        }, ok, Duration.ofSeconds(10));
    }

    @Test
    void aCallPlacedOnOneNodeIsEndedThroughTheOthersApi(@TempDir Path a, @TempDir Path b) throws Exception {
        String url = Postgres.shared().newDatabase();
        String key = Base64.getEncoder().encodeToString(new byte[32]);
        int carrierPort = FreePorts.next();
        int platformPort = FreePorts.next();
        try (TestGateway nodeA = node(a, "node-a", url, key); TestGateway nodeB = node(b, "node-b", url, key)) {
            Await.until("both nodes live", () -> nodeB.http.get("/v1/trunks", API_KEY).status(), s -> s == 200,
                    Duration.ofSeconds(5));
            assertEquals(201, nodeA.http.post("/v1/numbers", API_KEY, "{\"number\":\"" + FROM + "\"}").status());
            assertEquals(201, nodeA.http.post("/v1/trunks", API_KEY, "{\"name\":\"hangup-carrier\",\"proxy\":"
                    + "\"127.0.0.1:" + carrierPort + "\",\"direction\":\"outbound\"}").status());
            try (Sipp carrier = Sipp.startOnPort("carrier-uas-3pcc-answer.xml", carrierPort);
                 Sipp platform = Sipp.startOnPort("platform-uas-3pcc-answer.xml", platformPort)) {
                Reply placed = nodeA.http.post("/v1/calls", API_KEY, "{\"to\":\"" + TO + "\",\"from\":\"" + FROM
                        + "\",\"connect_to\":\"sip:agent@127.0.0.1:" + platformPort + "\"}");
                assertEquals(201, placed.status(), placed.body());
                String id = placed.data().get("id").asText();
                assertEquals("node-a", placed.data().get("node").asText());
                // Connected once the platform's answer is in; node-b reads the stored record.
                JsonNode seen = awaitRecord(nodeB, id, n -> n.get("attempts").size() == 2
                        && n.get("status").asText().equals("answered"));
                assertEquals("node-a", seen.get("node").asText());

                Reply other = nodeB.http.post("/v1/customers", TestGateway.OPERATOR_KEY, "{\"name\":\"Other\"}");
                String otherKey = other.data().get("api_key").asText();
                assertEquals(404, nodeB.http.delete("/v1/calls/" + id, otherKey).status(),
                        "another customer can neither see nor end the call, on any node");

                Reply deleted = nodeB.http.delete("/v1/calls/" + id, API_KEY);
                assertEquals(204, deleted.status(), deleted.body());
                Sipp.Result c = carrier.await();
                assertEquals(0, c.exitCode(), "the carrier leg gets its BYE: " + c.output());
                Sipp.Result p = platform.await();
                assertEquals(0, p.exitCode(), "the platform leg gets its BYE: " + p.output());

                JsonNode done = awaitRecord(nodeB, id, n -> n.get("status").asText().equals("completed"));
                assertEquals("api", done.get("hangup_side").asText());
                assertEquals("node-a", done.get("node").asText());
                Reply again = nodeB.http.delete("/v1/calls/" + id, API_KEY);
                assertEquals(409, again.status(), again.body());
                assertEquals("conflict", again.errorCode());
            }
        }
    }
}
