package eu.minivoice.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import eu.minivoice.gateway.support.Http.Reply;
import eu.minivoice.gateway.support.SharedGateway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static eu.minivoice.gateway.support.TestGateway.API_KEY;
import static eu.minivoice.gateway.support.TestGateway.OPERATOR_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/security.md rules 2 and 3 over real HTTP, on a gateway with the production default: no
 * private range allowed as a target (the other tests allow loopback).
 */
class TenantIsolationApiTest {
    @RegisterExtension
    static final SharedGateway shared = new SharedGateway(env -> env.remove("MINIVOICE_SECURITY_ALLOWED_PRIVATE_CIDRS"));
    private static String keyB;

    @BeforeAll
    static void secondCustomer() {
        Reply b = shared.gw().http.post("/v1/customers", OPERATOR_KEY, "{\"name\":\"Tenant B\"}");
        assertEquals(201, b.status(), b.body());
        keyB = b.data().get("api_key").asText();
    }

    private static void refused(Reply r, String field, String... parts) {
        assertEquals(422, r.status(), r.body());
        assertEquals("validation_failed", r.errorCode(), r.body());
        assertEquals(field, r.errorField(), r.body());
        for (String p : parts) {
            assertTrue(r.body().contains(p), r.body());
        }
    }

    private static Reply trunk(String key, String name, String proxy, String inboundIp) {
        return shared.gw().http.post("/v1/trunks", key, "{\"name\":\"" + name + "\",\"proxy\":\"" + proxy + "\""
                + (inboundIp == null ? "" : ",\"inbound_ip\":\"" + inboundIp + "\"") + "}");
    }

    @Test
    void inboundRangesWiderThanTheMinimumOrPrivateAreRefused() {
        refused(trunk(API_KEY, "all", "203.0.113.5", "0.0.0.0/0"), "inbound_ip", "security.min_inbound_prefix_v4");
        refused(trunk(API_KEY, "wide", "203.0.113.5", "198.51.100.9,198.0.0.0/8"), "inbound_ip", "/16");
        refused(trunk(API_KEY, "all6", "203.0.113.5", "::/0"), "inbound_ip", "security.min_inbound_prefix_v6");
        refused(trunk(API_KEY, "wide6", "203.0.113.5", "2001:d00::/24"), "inbound_ip", "/32");
        refused(trunk(API_KEY, "rfc1918", "203.0.113.5", "192.168.1.0/24"), "inbound_ip", "private",
                "security.allowed_private_cidrs");
        refused(trunk(API_KEY, "lo", "203.0.113.5", "127.0.0.1"), "inbound_ip", "loopback");
        refused(trunk(API_KEY, "ula", "203.0.113.5", "fd00::/48"), "inbound_ip", "unique-local");
        assertEquals(201, trunk(API_KEY, "ok", "203.0.113.5", "203.0.113.0/24,2001:db8::/32").status());
    }

    @Test
    void privateTargetsAreRefusedNamingTheSetting() {
        refused(trunk(API_KEY, "p1", "127.0.0.1:5060", null), "proxy", "loopback", "security.allowed_private_cidrs");
        refused(trunk(API_KEY, "p2", "10.1.2.3;transport=tcp", null), "proxy", "private");
        refused(trunk(API_KEY, "p3", "[::1]:5060", null), "proxy", "loopback");
        refused(trunk(API_KEY, "p4", "100.64.0.1", null), "proxy", "carrier-grade NAT");
        refused(trunk(API_KEY, "p5", "localhost", null), "proxy", "localhost resolves to", "loopback");
        refused(shared.gw().http.post("/v1/applications", API_KEY,
                "{\"name\":\"meta\",\"webhook_url\":\"http://169.254.169.254/latest/meta-data\"}"), "webhook_url", "link-local");
        refused(shared.gw().http.post("/v1/applications", API_KEY,
                "{\"name\":\"mapped\",\"webhook_url\":\"http://[::ffff:10.0.0.1]/x\"}"), "webhook_url", "private");
        refused(shared.gw().http.post("/v1/applications", API_KEY,
                "{\"name\":\"cb\",\"webhook_url\":\"https://hooks.example.com/v\",\"status_callback_url\":\"http://localhost:8080/\"}"),
                "status_callback_url", "loopback");
        refused(shared.gw().http.patch("/v1/account", API_KEY, "{\"events_url\":\"http://192.168.0.10/events\"}"),
                "events_url", "private");
        assertEquals(201, shared.gw().http.post("/v1/applications", API_KEY,
                "{\"name\":\"public\",\"webhook_url\":\"https://203.0.113.80/voice\"}").status());
    }

    @Test
    void aLaterOverlappingTrunkIsFlaggedAndAVerifiedNumberBelongsToOneCustomer() {
        Reply a = trunk(API_KEY, "shared-a", "198.51.100.7", "198.51.100.7");
        assertEquals(201, a.status(), a.body());
        Reply b = trunk(keyB, "shared-b", "198.51.100.7", "198.51.100.0/24");
        assertEquals(201, b.status(), b.body());
        assertFalse(a.data().get("inbound_ip_conflict").asBoolean());
        assertTrue(b.data().get("inbound_ip_conflict").asBoolean(), b.body());
        String idB = b.data().get("id").asText();
        assertTrue(shared.gw().http.get("/v1/trunks/" + idB, keyB).data().get("inbound_ip_conflict").asBoolean());
        JsonNode test = shared.gw().http.post("/v1/trunks/" + idB + "/test", keyB, "").data();
        assertTrue(test.get("warnings").toString().contains("inbound_ip_conflict"), test.toString());
        // The dry run: B learns nothing about A, only that its own trunk loses the address.
        JsonNode dry = shared.gw().http.get("/v1/trunks/match?ip=198.51.100.7&to=%2B15550001111", keyB).data();
        assertEquals("no_match", dry.get("result").asText(), dry.toString());
        assertFalse(dry.toString().contains(a.data().get("id").asText()), dry.toString());
        JsonNode unknown = shared.gw().http.get("/v1/trunks/match?ip=192.0.2.77&to=%2B15550001111", keyB).data();
        assertEquals("no_match", unknown.get("result").asText());
        assertEquals(unknown.get("reason"), dry.get("reason"), "the same answer whoever owns the address");

        // Verified numbers: set by the operator only; nobody else may add one.
        Reply n = shared.gw().http.post("/v1/numbers", API_KEY, "{\"number\":\"+15557770001\"}");
        assertEquals(201, n.status(), n.body());
        assertFalse(n.data().get("verified").asBoolean());
        String numberId = n.data().get("id").asText();
        assertEquals(422, shared.gw().http.patch("/v1/numbers/" + numberId, API_KEY, "{\"verified\":true}").status());
        Reply beforeB = shared.gw().http.post("/v1/numbers", keyB, "{\"number\":\"+15557770002\"}");
        assertEquals(201, beforeB.status(), "an unverified number may be held by several customers");
        assertEquals(401, shared.gw().http.patch("/v1/customers/cust_default/numbers/" + numberId, API_KEY,
                "{\"verified\":true}").status());
        Reply v = shared.gw().http.patch("/v1/customers/cust_default/numbers/" + numberId, OPERATOR_KEY,
                "{\"verified\":true}");
        assertEquals(200, v.status(), v.body());
        assertTrue(v.data().get("verified").asBoolean());
        Reply taken = shared.gw().http.post("/v1/numbers", keyB, "{\"number\":\"+1 555 777 0001\"}");
        assertEquals(409, taken.status(), taken.body());
        assertEquals("conflict", taken.errorCode());
        assertFalse(taken.body().contains("cust_default"), "which customer holds it is not shown");
        assertEquals(409, shared.gw().http.patch("/v1/numbers/" + beforeB.data().get("id").asText(), keyB,
                "{\"number\":\"+15557770001\"}").status());
        assertEquals(404, shared.gw().http.patch("/v1/customers/" + "cust_nobody" + "/numbers/" + numberId, OPERATOR_KEY,
                "{\"verified\":true}").status());
        assertEquals(422, shared.gw().http.patch("/v1/customers/cust_default/numbers/" + numberId, OPERATOR_KEY,
                "{\"verified\":\"yes\"}").status());
    }
}
