package eu.minivoice.gateway.api;

import eu.minivoice.gateway.support.Http.Reply;
import eu.minivoice.gateway.support.SharedGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;


import static eu.minivoice.gateway.support.TestGateway.API_KEY;
import static eu.minivoice.gateway.support.TestGateway.OPERATOR_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One customer never sees, changes or learns of another's trunks. */
class TenantIsolationTest {
    @RegisterExtension
    static final SharedGateway shared = new SharedGateway();

    @Test
    void customersOnlySeeTheirOwnTrunks() {
        Reply cust = shared.gw().http.post("/v1/customers", OPERATOR_KEY, "{\"name\":\"Acme\"}");
        assertEquals(201, cust.status(), cust.body());
        String acmeKey = cust.data().get("api_key").asText();
        String acmeId = cust.data().get("id").asText();
        assertTrue(acmeId.startsWith("cust_"));

        String mine = shared.gw().http.post("/v1/trunks", API_KEY, "{\"name\":\"shared-name\",\"proxy\":\"a.example.com\"}")
                .data().get("id").asText();
        // The same name is free for another customer.
        Reply theirs = shared.gw().http.post("/v1/trunks", acmeKey, "{\"name\":\"shared-name\",\"proxy\":\"b.example.com\"}");
        assertEquals(201, theirs.status(), theirs.body());
        assertEquals(acmeId, theirs.data().get("customer_id").asText());

        Reply list = shared.gw().http.get("/v1/trunks", acmeKey);
        assertEquals(1, list.json().get("count").asInt());
        assertFalse(list.body().contains(mine));

        // A foreign id is exactly as absent as a missing one: 404, never 403.
        for (Reply r : new Reply[] {
                shared.gw().http.get("/v1/trunks/" + mine, acmeKey),
                shared.gw().http.patch("/v1/trunks/" + mine, acmeKey, "{\"is_active\":false}"),
                shared.gw().http.delete("/v1/trunks/" + mine, acmeKey)}) {
            assertEquals(404, r.status(), r.body());
            assertEquals("not_found", r.errorCode());
        }
        Reply still = shared.gw().http.get("/v1/trunks/" + mine, API_KEY);
        assertEquals(200, still.status());
        assertTrue(still.data().get("is_active").asBoolean(), "the foreign PATCH changed nothing");
    }

    @Test
    void customerEndpointsNeedTheOperatorKey() {
        assertEquals(401, shared.gw().http.get("/v1/customers", API_KEY).status());
        assertEquals(401, shared.gw().http.post("/v1/customers", API_KEY, "{\"name\":\"Evil\"}").status());
        assertEquals(401, shared.gw().http.get("/v1/customers", null).status());
        Reply r = shared.gw().http.get("/v1/customers", OPERATOR_KEY);
        assertEquals(200, r.status());
        assertFalse(r.body().contains("api_key"), "keys are shown only when made");
    }

    @Test
    void operatorCanIssueAnotherKeyAndBothWork() {
        Reply cust = shared.gw().http.post("/v1/customers", OPERATOR_KEY, "{\"name\":\"Beta\",\"id\":\"cust_beta\"}");
        assertEquals(201, cust.status(), cust.body());
        assertEquals("cust_beta", cust.data().get("id").asText());
        assertEquals(409, shared.gw().http.post("/v1/customers", OPERATOR_KEY, "{\"name\":\"Again\",\"id\":\"cust_beta\"}").status());
        Reply key2 = shared.gw().http.post("/v1/customers/cust_beta/api_keys", OPERATOR_KEY, null);
        assertEquals(201, key2.status(), key2.body());
        assertEquals(200, shared.gw().http.get("/v1/trunks", cust.data().get("api_key").asText()).status());
        assertEquals(200, shared.gw().http.get("/v1/trunks", key2.data().get("api_key").asText()).status());
        assertEquals(404, shared.gw().http.post("/v1/customers/cust_nobody/api_keys", OPERATOR_KEY, null).status());
        Reply bad = shared.gw().http.post("/v1/customers", OPERATOR_KEY, "{\"name\":\"X\",\"plan\":\"gold\"}");
        assertEquals(422, bad.status());
        assertEquals("plan", bad.errorField());
    }
}
