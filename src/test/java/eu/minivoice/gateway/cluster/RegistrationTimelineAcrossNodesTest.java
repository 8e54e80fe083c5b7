package eu.minivoice.gateway.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import eu.minivoice.gateway.support.Await;
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
 * A trunk's REGISTER timeline on every node (docs/scale-out.md): two gateways on one real
 * PostgreSQL, a SIPp registrar; whichever node owns the trunk registers it, and the other node's
 * {@code /v1/trunks/{id}/registration} shows the same transaction (it used to show none).
 */
class RegistrationTimelineAcrossNodesTest {
    @Test
    void theNodeThatDoesNotOwnATrunkShowsItsOwnersTimeline(@TempDir Path a, @TempDir Path b) throws Exception {
        String url = Postgres.shared().newDatabase();
        String key = Base64.getEncoder().encodeToString(new byte[32]);
        try (Sipp registrar = Sipp.start("carrier-registrar-200.xml", null);
             TestGateway nodeA = TestGateway.clusterNode(a, "node-a", url, key, Map.of());
             TestGateway nodeB = TestGateway.clusterNode(b, "node-b", url, key, Map.of())) {
            String id = nodeA.http.post("/v1/trunks", API_KEY, "{\"name\":\"timeline\",\"proxy\":\"127.0.0.1:"
                    + registrar.port + "\",\"username\":\"1001\",\"register_expires\":60}").data().get("id").asText();
            JsonNode trunk = Await.until("REGED as both nodes see it", () -> {
                JsonNode onA = nodeA.http.get("/v1/trunks/" + id, API_KEY).data();
                JsonNode onB = nodeB.http.get("/v1/trunks/" + id, API_KEY).data();
                return onA.get("registration_status").asText().equals("REGED")
                        && onB.get("registration_status").asText().equals("REGED") ? onA : null;
            }, t -> t != null, Duration.ofSeconds(15));
            String owner = trunk.get("owner_node").asText();
            TestGateway other = owner.equals("node-a") ? nodeB : nodeA;

            JsonNode timeline = Await.until("the owner's timeline on the other node",
                    () -> other.http.get("/v1/trunks/" + id + "/registration", API_KEY).data(),
                    t -> t.get("transactions").size() == 1, Duration.ofSeconds(5));
            JsonNode tx = timeline.get("transactions").get(0);
            assertEquals(200, tx.get("code").asInt(), timeline.toString());
            assertEquals(60, tx.get("granted_expires").asInt(), timeline.toString());
            TestGateway ownerNode = other == nodeA ? nodeB : nodeA;
            assertEquals(ownerNode.http.get("/v1/trunks/" + id + "/registration", API_KEY).data().get("transactions"),
                    timeline.get("transactions"), "the same transaction as on the owner");
        }
    }
}
