package eu.minivoice.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import eu.minivoice.gateway.support.Http.Reply;
import eu.minivoice.gateway.support.SharedGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Iterator;

import static eu.minivoice.gateway.support.TestGateway.API_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** /v1/trunks over real HTTP against an in-process gateway. */
class TrunkApiTest {
    @RegisterExtension
    static final SharedGateway shared = new SharedGateway();

    private static Reply create(String json) {
        return shared.gw().http.post("/v1/trunks", API_KEY, json);
    }

    private static int count() {
        return shared.gw().http.get("/v1/trunks", API_KEY).json().get("count").asInt();
    }

    /** The trunk without what the registration engine changes on its own. */
    static JsonNode stable(JsonNode trunk) {
        com.fasterxml.jackson.databind.node.ObjectNode copy = trunk.deepCopy();
        copy.remove(java.util.List.of("registration_status", "registration", "health", "owner_node"));
        return copy;
    }

    private static String uniqueName(String base) {
        return base + "-" + System.nanoTime();
    }

    @Test
    void createsATrunkWithTheDocumentedShape() {
        String name = uniqueName("carrier");
        Reply r = create("{\"name\":\"" + name + "\",\"proxy\":\"sip.example.net\",\"username\":\"acct1\","
                + "\"password\":\"s3cr3t-pw\",\"realm\":\"sip.example.net\",\"inbound_ip\":\"203.0.113.7, 198.51.100.0/24\"}");
        assertEquals(201, r.status(), r.body());
        JsonNode t = r.data();
        assertTrue(t.get("id").asText().startsWith("trunk_"));
        assertEquals("cust_default", t.get("customer_id").asText());
        assertEquals(name, t.get("name").asText());
        assertEquals(name, t.get("gateway_name").asText(), "gateway_name defaults to the name");
        assertEquals("both", t.get("direction").asText());
        assertEquals("sip.example.net", t.get("proxy").asText());
        assertTrue(t.get("is_active").asBoolean());
        assertTrue(java.util.Set.of("UNREGED", "TRYING", "FAIL_WAIT").contains(t.get("registration_status").asText()),
                "a trunk with a username registers: " + t.get("registration_status"));
        // The node registering it: this one alone on H2; on PostgreSQL the one that takes its lease.
        assertTrue(t.has("owner_node"), t.toString());
        assertEquals("203.0.113.7,198.51.100.0/24", t.get("inbound_ip").asText());
        assertEquals(3600, t.get("register_expires").asInt());
        assertTrue(t.get("password_set").asBoolean());
        assertFalse(t.has("password"), "password is write-only");
        assertFalse(r.body().contains("s3cr3t-pw"));
        assertEquals("UNKNOWN", t.get("health").asText());
        assertTrue(t.get("registration").has("last_code"));

        Reply got = shared.gw().http.get("/v1/trunks/" + t.get("id").asText(), API_KEY);
        assertEquals(200, got.status());
        assertEquals(stable(t), stable(got.data()));
        assertFalse(got.body().contains("s3cr3t-pw"));
        Reply list = shared.gw().http.get("/v1/trunks", API_KEY);
        assertFalse(list.body().contains("s3cr3t-pw"));
        assertTrue(list.data().isArray());
        assertEquals(list.data().size(), list.json().get("count").asInt());
    }

    @Test
    void aTrunkWithoutUsernameIsNoreg() {
        Reply r = create("{\"name\":\"" + uniqueName("ip-auth") + "\",\"proxy\":\"203.0.113.10:5080;transport=tcp\","
                + "\"direction\":\"inbound\",\"inbound_ip\":\"203.0.113.10\"}");
        assertEquals(201, r.status(), r.body());
        assertEquals("NOREG", r.data().get("registration_status").asText());
        assertTrue(r.data().get("owner_node").isNull(), "no node owns a trunk that neither registers nor is pinged");
        assertFalse(r.data().get("register").asBoolean());
    }

    @Test
    void patchesOnlyTheGivenFieldsAndCanClearOptionalOnes() {
        String id = create("{\"name\":\"" + uniqueName("p") + "\",\"proxy\":\"sip:a.example.com\",\"username\":\"u\","
                + "\"password\":\"pw\",\"priority\":5}").data().get("id").asText();
        Reply r = shared.gw().http.patch("/v1/trunks/" + id, API_KEY, "{\"is_active\":false,\"priority\":7}");
        assertEquals(200, r.status(), r.body());
        assertFalse(r.data().get("is_active").asBoolean());
        assertEquals(7, r.data().get("priority").asInt());
        assertEquals("sip:a.example.com", r.data().get("proxy").asText());
        assertEquals("u", r.data().get("username").asText());

        r = shared.gw().http.patch("/v1/trunks/" + id, API_KEY, "{\"username\":null,\"password\":null}");
        assertEquals(200, r.status(), r.body());
        assertTrue(r.data().get("username").isNull());
        assertFalse(r.data().get("password_set").asBoolean());
        assertEquals("NOREG", r.data().get("registration_status").asText());
        assertEquals(stable(r.data()), stable(shared.gw().http.get("/v1/trunks/" + id, API_KEY).data()));
    }

    @Test
    void deletesATrunk() {
        String id = create("{\"name\":\"" + uniqueName("d") + "\",\"proxy\":\"d.example.com\"}").data().get("id").asText();
        assertEquals(204, shared.gw().http.delete("/v1/trunks/" + id, API_KEY).status());
        assertEquals("not_found", shared.gw().http.get("/v1/trunks/" + id, API_KEY).errorCode());
        assertEquals(404, shared.gw().http.delete("/v1/trunks/" + id, API_KEY).status());
    }

    @Test
    void refusesRequestsWithoutAValidKey() {
        for (Reply r : new Reply[] {
                shared.gw().http.get("/v1/trunks", null),
                shared.gw().http.get("/v1/trunks", "wrong-key-wrong-key"),
                shared.gw().http.send("GET", "/v1/trunks", null, null),
                shared.gw().http.post("/v1/trunks", null, "{\"name\":\"x\",\"proxy\":\"x.example\"}")}) {
            assertEquals(401, r.status(), r.body());
            assertEquals("unauthorized", r.errorCode());
            assertNotNull(r.json().get("error").get("message"));
        }
    }

    @Test
    void answersUnknownPathsAndMethodsClearly() {
        Reply r = shared.gw().http.get("/v1/nothing-here", API_KEY);
        assertEquals(404, r.status());
        assertEquals("not_found", r.errorCode());
        r = shared.gw().http.send("PUT", "/v1/trunks", API_KEY, "{}");
        assertEquals(405, r.status());
        assertEquals("method_not_allowed", r.errorCode());
        assertEquals("GET, POST", r.headers().firstValue("Allow").orElse(""));
        assertEquals(404, shared.gw().http.get("/v1/trunks/trunk_doesnotexist", API_KEY).status());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "not json at all                    | {name:                          ",
        "array instead of object            | [1,2,3]                         ",
        "string instead of object           | \"trunk\"                         ",
        "trailing garbage                   | {\"name\":\"a\",\"proxy\":\"b.c\"} x ",
        "duplicate key                      | {\"name\":\"a\",\"name\":\"b\",\"proxy\":\"b.c\"}",
    })
    void refusesMalformedJsonWith400(String what, String body) {
        int before = count();
        Reply r = create(body.strip());
        assertEquals(400, r.status(), what + ": " + r.body());
        assertEquals("invalid_json", r.errorCode());
        assertEquals(before, count(), "nothing written");
    }

    @Test
    void refusesAnEmptyBody() {
        Reply r = shared.gw().http.send("POST", "/v1/trunks", API_KEY, "");
        assertEquals(400, r.status());
        assertEquals("invalid_json", r.errorCode());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "{\"proxy\":\"sip.example.net\"}                                          | name",
        "{\"name\":\"n\"}                                                          | proxy",
        "{\"name\":\"n\",\"proxy\":\"sip.example.net\",\"colour\":\"red\"}             | colour",
        "{\"name\":\"n\",\"proxy\":\"sip.example.net\",\"id\":\"trunk_mine\"}          | id",
        "{\"name\":\"n\",\"proxy\":\"sip.example.net\",\"registration_status\":\"REGED\"} | registration_status",
        "{\"name\":\"n\",\"proxy\":\"sip.example.net\",\"owner_node\":\"mine\"}       | owner_node",
        "{\"name\":42,\"proxy\":\"sip.example.net\"}                                 | name",
        "{\"name\":\"n\",\"proxy\":\"sip.example.net\",\"is_active\":\"yes\"}          | is_active",
        "{\"name\":\"n\",\"proxy\":\"sip.example.net\",\"priority\":1.5}              | priority",
        "{\"name\":\"n\",\"proxy\":\"sip.example.net\",\"priority\":\"1\"}            | priority",
        "{\"name\":\"n\",\"proxy\":\"sip.example.net\",\"priority\":99999999999}      | priority",
        "{\"name\":\"n\",\"proxy\":\"sip.example.net\",\"priority\":-1}               | priority",
        "{\"name\":\"n\",\"proxy\":\"sip:user@sip.example.net\"}                      | proxy",
        "{\"name\":\"n\",\"proxy\":\"sip.example.net:99999\"}                          | proxy",
        "{\"name\":\"n\",\"proxy\":\"sip.example.net;transport=sctp\"}                 | proxy",
        "{\"name\":\"n\",\"proxy\":\"sips:sip.example.net;transport=udp\"}             | proxy",
        "{\"name\":\"n\",\"proxy\":\"bad host name\"}                                  | proxy",
        "{\"name\":\"n\",\"proxy\":\"sip.example.net\",\"inbound_ip\":\"10.0.0.300\"}   | inbound_ip",
        "{\"name\":\"n\",\"proxy\":\"sip.example.net\",\"inbound_ip\":\"10.0.0.1/24\"}  | inbound_ip",
        "{\"name\":\"n\",\"proxy\":\"sip.example.net\",\"inbound_ip\":\"carrier.example\"} | inbound_ip",
        "{\"name\":\"n\",\"proxy\":\"sip.example.net\",\"inbound_ip\":\"10.0.0.1,,10.0.0.2\"} | inbound_ip",
        "{\"name\":\"n\",\"proxy\":\"sip.example.net\",\"direction\":\"sideways\"}     | direction",
        "{\"name\":\"n\",\"proxy\":\"sip.example.net\",\"register_expires\":10}        | register_expires",
        "{\"name\":\"n\",\"proxy\":\"sip.example.net\",\"ping_interval\":2}            | ping_interval",
        "{\"name\":\"n\",\"proxy\":\"sip.example.net\",\"register\":true}              | register",
        "{\"name\":\"n\",\"proxy\":\"sip.example.net\",\"username\":\"has space\"}     | username",
        "{\"name\":\"n\",\"proxy\":\"sip.example.net\",\"max_cps\":0}                  | max_cps",
        "{\"name\":\"n\",\"proxy\":\"sip.example.net\",\"failover_codes\":[486]}       | failover_codes",
        "{\"name\":\"n\",\"proxy\":\"sip.example.net\",\"failover_codes\":[603,503]}   | failover_codes",
        "{\"name\":\"n\",\"proxy\":\"sip.example.net\",\"failover_codes\":[]}          | failover_codes",
        "{\"name\":\"n\",\"proxy\":\"sip.example.net\",\"failover_codes\":[399]}       | failover_codes",
        "{\"name\":\"n\",\"proxy\":\"sip.example.net\",\"failover_codes\":[503,503]}   | failover_codes",
        "{\"name\":\"n\",\"proxy\":\"sip.example.net\",\"failover_codes\":\"503\"}     | failover_codes",
        "{\"name\":\"n\",\"proxy\":\"sip.example.net\",\"failover_codes\":[\"503\"]}   | failover_codes",
        "{\"name\":\"n\",\"proxy\":\"sip.example.net\",\"application_id\":\"nope\"}    | application_id",
        "{\"name\":\"\",\"proxy\":\"sip.example.net\"}                                 | name",
        "{\"name\":null,\"proxy\":\"sip.example.net\"}                                 | name",
    })
    void refusesInvalidFieldsWith422AndWritesNothing(String body, String field) {
        int before = count();
        Reply r = create(body);
        assertEquals(422, r.status(), r.body());
        assertEquals("validation_failed", r.errorCode());
        assertEquals(field, r.errorField(), r.body());
        assertTrue(r.json().get("error").get("details").isArray());
        assertEquals(before, count(), "nothing written");
    }

    @Test
    void failoverCodesDefaultCanBeSetAndReset() {
        Reply r = create("{\"name\":\"fo\",\"proxy\":\"sip.example.net\"}");
        assertEquals(201, r.status(), r.body());
        assertEquals("[408,500,502,503,504]", r.data().get("failover_codes").toString());
        String id = r.data().get("id").asText();
        r = shared.gw().http.patch("/v1/trunks/" + id, API_KEY, "{\"failover_codes\":[503,480,408]}");
        assertEquals(200, r.status(), r.body());
        assertEquals("[408,480,503]", r.data().get("failover_codes").toString());
        assertEquals("[408,480,503]", shared.gw().http.get("/v1/trunks/" + id, API_KEY).data().get("failover_codes").toString());
        r = shared.gw().http.patch("/v1/trunks/" + id, API_KEY, "{\"priority\":4}");
        assertEquals("[408,480,503]", r.data().get("failover_codes").toString(), "a patch of another field keeps them");
        r = shared.gw().http.patch("/v1/trunks/" + id, API_KEY, "{\"failover_codes\":null}");
        assertEquals("[408,500,502,503,504]", r.data().get("failover_codes").toString());
    }

    @Test
    void reportsEveryInvalidFieldAtOnce() {
        Reply r = create("{\"name\":\"n\",\"proxy\":\"::bad\",\"priority\":-5,\"direction\":\"up\"}");
        assertEquals(422, r.status());
        java.util.Set<String> fields = new java.util.HashSet<>();
        for (Iterator<JsonNode> it = r.json().get("error").get("details").elements(); it.hasNext(); ) {
            fields.add(it.next().get("field").asText());
        }
        assertEquals(java.util.Set.of("proxy", "priority", "direction"), fields);
    }

    @Test
    void aFailedPatchChangesNothing() {
        Reply created = create("{\"name\":\"" + uniqueName("keep") + "\",\"proxy\":\"keep.example.com\"}");
        String id = created.data().get("id").asText();
        Reply r = shared.gw().http.patch("/v1/trunks/" + id, API_KEY, "{\"priority\":3,\"proxy\":\"\"}");
        assertEquals(422, r.status());
        assertEquals("proxy", r.errorField());
        assertEquals(stable(created.data()), stable(shared.gw().http.get("/v1/trunks/" + id, API_KEY).data()));
        r = shared.gw().http.patch("/v1/trunks/" + id, API_KEY, "{\"name\":null}");
        assertEquals(422, r.status());
        assertEquals(stable(created.data()), stable(shared.gw().http.get("/v1/trunks/" + id, API_KEY).data()));
    }

    @Test
    void namesAndGatewayNamesAreUniquePerCustomer() {
        String name = uniqueName("dup");
        assertEquals(201, create("{\"name\":\"" + name + "\",\"proxy\":\"a.example.com\"}").status());
        int before = count();
        Reply r = create("{\"name\":\"" + name + "\",\"proxy\":\"b.example.com\",\"gateway_name\":\"other-" + name + "\"}");
        assertEquals(409, r.status(), r.body());
        assertEquals("conflict", r.errorCode());
        assertEquals("name", r.errorField());
        r = create("{\"name\":\"other-" + name + "\",\"proxy\":\"b.example.com\",\"gateway_name\":\"" + name + "\"}");
        assertEquals(409, r.status(), r.body());
        assertEquals("gateway_name", r.errorField());
        assertEquals(before, count());

        String other = create("{\"name\":\"" + uniqueName("x") + "\",\"proxy\":\"x.example.com\"}").data().get("id").asText();
        r = shared.gw().http.patch("/v1/trunks/" + other, API_KEY, "{\"gateway_name\":\"" + name + "\"}");
        assertEquals(409, r.status());
    }

    @Test
    void refusesBodiesOverTheLimitWith413() {
        int limit = shared.gw().config().admin().maxBodyBytes();
        String big = "{\"name\":\"" + "x".repeat(limit) + "\",\"proxy\":\"a.example.com\"}";
        int before = count();
        Reply r = create(big);
        assertEquals(413, r.status());
        assertEquals("payload_too_large", r.errorCode());
        assertEquals(before, count());
    }

    @Test
    void healthIsUpWithoutCredentials() {
        Reply r = shared.gw().http.get("/health", null);
        assertEquals(200, r.status());
        assertEquals("up", r.json().get("checks").get("sip").asText());
        assertEquals("up", r.json().get("checks").get("database").asText());
    }
}
