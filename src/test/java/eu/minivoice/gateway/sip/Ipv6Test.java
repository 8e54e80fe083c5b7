package eu.minivoice.gateway.sip;

import com.fasterxml.jackson.databind.JsonNode;
import eu.minivoice.gateway.support.Await;
import eu.minivoice.gateway.support.FreePorts;
import eu.minivoice.gateway.support.Http.Reply;
import eu.minivoice.gateway.support.SharedGateway;
import eu.minivoice.gateway.support.Sipp;
import eu.minivoice.gateway.support.TestApplications;
import eu.minivoice.gateway.support.WebhookReceiver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static eu.minivoice.gateway.support.TestGateway.API_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * IPv6 beside IPv4 (sip.bind_v6, default ::1): both sides answer over ::1, a trunk whose proxy is
 * an IPv6 address registers and carries calls, an IPv6 carrier is matched by an IPv6 inbound_ip,
 * and a call may cross families (IPv6 carrier, IPv4 platform). SIPp on ::1 plays every peer.
 */
class Ipv6Test {
    @RegisterExtension
    static final SharedGateway shared = new SharedGateway();
    private static WebhookReceiver webhook;

    @AfterAll
    static void stopWebhook() {
        if (webhook != null) {
            webhook.close();
        }
    }

    private static String v6(int port) {
        return "[::1]:" + port;
    }

    @Test
    void bothSidesAnswerOptionsOverIpv6() throws Exception {
        for (int port : new int[] {shared.gw().sipExternalPort(), shared.gw().sipInternalPort()}) {
            Sipp.Result r = Sipp.run("uac-options-expect-200.xml", v6(port), "-i", "::1");
            assertEquals(0, r.exitCode(), r.output());
        }
    }

    @Test
    void aTrunkWithAnIpv6ProxyRegisters() throws Exception {
        try (Sipp registrar = Sipp.start("carrier-registrar-200.xml", null, "-i", "::1")) {
            Reply r = shared.gw().http.post("/v1/trunks", API_KEY, "{\"name\":\"v6-reg\",\"proxy\":\"[::1]:" + registrar.port
                    + "\",\"username\":\"1001\",\"register_expires\":60}");
            assertEquals(201, r.status(), r.body());
            String id = r.data().get("id").asText();
            JsonNode t = Await.until("REGED over IPv6", () -> shared.gw().http.get("/v1/trunks/" + id, API_KEY).data(),
                    n -> n.get("registration_status").asText().equals("REGED"), Duration.ofSeconds(10));
            assertEquals(200, t.at("/registration/last_code").asInt());
            Sipp.Result done = registrar.await();
            assertEquals(0, done.exitCode(), done.output());
            assertEquals(204, shared.gw().http.delete("/v1/trunks/" + id, API_KEY).status());
        }
    }

    @Test
    void anOutboundCallGoesOverIpv6OnBothSides() throws Exception {
        assertEquals(201, shared.gw().http.post("/v1/numbers", API_KEY, "{\"number\":\"+15551230601\"}").status());
        int carrierPort = FreePorts.next();
        Reply t = shared.gw().http.post("/v1/trunks", API_KEY, "{\"name\":\"v6-out\",\"proxy\":\"[::1]:" + carrierPort
                + "\",\"direction\":\"outbound\",\"priority\":1}");
        assertEquals(201, t.status(), t.body());
        try (Sipp carrier = Sipp.startOnPort("carrier-uas-answer.xml", carrierPort, "-i", "::1")) {
            Sipp.Result platform = Sipp.run("platform-uac-call.xml", v6(shared.gw().sipInternalPort()), "-i", "::1",
                    "-key", "customer", "cust_default", "-key", "to", "+15551230602", "-key", "from", "+15551230601");
            assertEquals(0, platform.exitCode(), platform.output());
            Sipp.Result c = carrier.await();
            assertEquals(0, c.exitCode(), c.output());
        } finally {
            shared.gw().http.delete("/v1/trunks/" + t.data().get("id").asText(), API_KEY);
        }
        JsonNode done = shared.gw().awaitCallEvent("call.completed", "+15551230602");
        assertEquals(t.data().get("id").asText(), done.get("call").get("trunk_id").asText());
    }

    @Test
    void anIpv6CarrierIsMatchedByItsRangeAndForwardedToAnIpv4Platform() throws Exception {
        int platformPort = FreePorts.next();
        webhook = new WebhookReceiver();
        webhook.respond(r -> WebhookReceiver.Answer.json("{\"actions\":[{\"type\":\"forward\",\"to\":\"sip:agent@127.0.0.1:"
                + platformPort + "\",\"timeout\":10}]}"));
        String app = new TestApplications(shared.gw().http, API_KEY).create("\"webhook_url\":\"" + webhook.url("/v6") + "\"");
        Reply t = shared.gw().http.post("/v1/trunks", API_KEY, "{\"name\":\"v6-in\",\"proxy\":\"[::1]\","
                + "\"inbound_ip\":\"::1/128\",\"direction\":\"inbound\",\"application_id\":\"" + app + "\"}");
        assertEquals(201, t.status(), t.body());
        assertEquals("::1", t.data().get("inbound_ip").asText(), "canonical form");
        try (Sipp platform = Sipp.startOnPort("platform-uas-inbound-answer.xml", platformPort)) {
            Sipp.Result carrier = Sipp.run("carrier-uac-inbound-call.xml", v6(shared.gw().sipExternalPort()), "-i", "::1",
                    "-key", "to", "+15551230603");
            assertEquals(0, carrier.exitCode(), carrier.output());
            Sipp.Result p = platform.await();
            assertEquals(0, p.exitCode(), p.output());
        } finally {
            shared.gw().http.delete("/v1/trunks/" + t.data().get("id").asText(), API_KEY);
        }
        JsonNode done = shared.gw().awaitCallEvent("call.completed", "+15551230603");
        assertEquals("inbound", done.get("call").get("direction").asText());
        assertEquals(t.data().get("id").asText(), done.get("call").get("trunk_id").asText());
    }
}
