package eu.minivoice.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import eu.minivoice.gateway.support.FreePorts;
import eu.minivoice.gateway.support.Http.Reply;
import eu.minivoice.gateway.support.RawSip;
import eu.minivoice.gateway.support.SharedGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

import static eu.minivoice.gateway.support.TestGateway.API_KEY;
import static eu.minivoice.gateway.support.TestGateway.OPERATOR_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** docs/security.md rule 7: per-customer quotas with defaults, set by the operator; lists paginate. */
class QuotasAndPagingTest {
    @RegisterExtension
    static final SharedGateway shared = new SharedGateway(env -> {
        env.put("MINIVOICE_QUOTAS_TRUNKS", "2");
        env.put("MINIVOICE_QUOTAS_APPLICATIONS", "1");
        env.put("MINIVOICE_QUOTAS_NUMBERS", "5");
    });

    private static Reply trunk(String key, String name, int port) {
        return shared.gw().http.post("/v1/trunks", key, "{\"name\":\"" + name + "\",\"proxy\":\"127.0.0.1:" + port
                + "\",\"register\":false}");
    }

    @Test
    void quotasHaveDefaultsTheOperatorChangesPerCustomer() throws Exception {
        Reply b = shared.gw().http.post("/v1/customers", OPERATOR_KEY, "{\"name\":\"Quota B\"}");
        String keyB = b.data().get("api_key").asText();
        String idB = b.data().get("id").asText();
        assertEquals(2, b.data().get("quotas").get("trunks").asInt());
        assertEquals(201, trunk(keyB, "b1", 9).status());
        assertEquals(201, trunk(keyB, "b2", 9).status());
        Reply over = trunk(keyB, "b3", 9);
        assertEquals(403, over.status(), over.body());
        assertEquals("quota_exceeded", over.errorCode());
        assertTrue(over.body().contains("quota of 2 trunks"), over.body());
        assertEquals(201, shared.gw().http.post("/v1/applications", keyB, "{\"name\":\"a1\",\"webhook_url\":"
                + "\"https://203.0.113.9/h\"}").status());
        assertEquals(403, shared.gw().http.post("/v1/applications", keyB, "{\"name\":\"a2\",\"webhook_url\":"
                + "\"https://203.0.113.9/h\"}").status());

        // The operator raises B's trunks; an unset field goes back to the default with null.
        Reply raised = shared.gw().http.patch("/v1/customers/" + idB, OPERATOR_KEY,
                "{\"quotas\":{\"trunks\":3,\"calls_per_second\":1}}");
        assertEquals(200, raised.status(), raised.body());
        assertEquals(3, raised.data().get("quotas").get("trunks").asInt());
        assertEquals(201, trunk(keyB, "b3", 9).status());
        assertEquals(403, trunk(keyB, "b4", 9).status());
        assertEquals(1, shared.gw().http.get("/v1/account", keyB).data().get("quotas").get("calls_per_second").asInt());
        assertEquals(401, shared.gw().http.patch("/v1/customers/" + idB, keyB, "{\"quotas\":{\"trunks\":99}}").status(),
                "a customer cannot raise its own quotas");
        assertEquals(422, shared.gw().http.patch("/v1/customers/" + idB, OPERATOR_KEY,
                "{\"quotas\":{\"trunks\":-1}}").status());
        assertEquals(422, shared.gw().http.patch("/v1/customers/" + idB, OPERATOR_KEY,
                "{\"quotas\":{\"sessions\":1}}").status());
        assertEquals(404, shared.gw().http.patch("/v1/customers/cust_nobody", OPERATOR_KEY,
                "{\"quotas\":{\"trunks\":1}}").status());
        Reply back = shared.gw().http.patch("/v1/customers/" + idB, OPERATOR_KEY, "{\"quotas\":{\"trunks\":null}}");
        assertEquals(2, back.data().get("quotas").get("trunks").asInt());
        assertEquals(1, back.data().get("quotas").get("calls_per_second").asInt(), "other quotas stay");

        // B's calls per second (1): the second INVITE in the same second is refused; the default
        // customer's calls (default quota) are not affected.
        try (DatagramSocket carrier = new DatagramSocket(FreePorts.next(), InetAddress.getLoopbackAddress())) {
            String trunkB = shared.gw().http.get("/v1/trunks", keyB).data().get(0).get("id").asText();
            assertEquals(200, shared.gw().http.patch("/v1/trunks/" + trunkB, keyB, "{\"proxy\":\"127.0.0.1:"
                    + carrier.getLocalPort() + "\"}").status());
            assertEquals(201, shared.gw().http.post("/v1/numbers", keyB, "{\"number\":\"+15551230001\"}").status());
            int port = shared.gw().sipInternalPort();
            RawSip.fire(RawSip.platformInvite(h -> h.replace("cust_default", idB)), port);
            Thread.sleep(300); // the first is admitted first (the bucket refills one token per second)
            String second = RawSip.send(RawSip.platformInvite(h -> h.replace("cust_default", idB)), port);
            assertTrue(second != null && second.startsWith("SIP/2.0 503 ") && second.contains("limit_exceeded"), second);
        }
    }

    @Test
    void listsPaginateWithACursor() {
        List<String> made = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Reply n = shared.gw().http.post("/v1/numbers", API_KEY, "{\"number\":\"+1555444000" + i + "\"}");
            assertEquals(201, n.status(), n.body());
            made.add(n.data().get("id").asText());
        }
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Reply page = shared.gw().http.get("/v1/numbers?limit=2" + (cursor == null ? "" : "&cursor=" + cursor), API_KEY);
            assertEquals(200, page.status(), page.body());
            page.data().forEach(n -> seen.add(n.get("id").asText()));
            JsonNode next = page.json().get("next_cursor");
            cursor = next.isNull() ? null : next.asText();
            pages++;
        } while (cursor != null && pages < 10);
        assertEquals(3, pages);
        assertTrue(seen.containsAll(made) && seen.size() == 5, seen.toString());
        assertEquals(422, shared.gw().http.get("/v1/numbers?limit=0", API_KEY).status());
        assertEquals(422, shared.gw().http.get("/v1/numbers?limit=5000", API_KEY).status());
        assertEquals(422, shared.gw().http.get("/v1/numbers?cursor=%27%20OR%201=1", API_KEY).status());
        assertEquals(1, shared.gw().http.get("/v1/customers?limit=1", OPERATOR_KEY).data().size());
        assertEquals(403, shared.gw().http.post("/v1/numbers", API_KEY, "{\"number\":\"+15554440009\"}").status(),
                "the numbers quota (5) holds too");
    }
}
