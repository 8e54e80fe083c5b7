package eu.minivoice.gateway.sip.dns;

import com.fasterxml.jackson.databind.JsonNode;
import eu.minivoice.gateway.support.Await;
import eu.minivoice.gateway.support.Dnsmasq;
import eu.minivoice.gateway.support.FreePorts;
import eu.minivoice.gateway.support.Http.Reply;
import eu.minivoice.gateway.support.Sipp;
import eu.minivoice.gateway.support.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static eu.minivoice.gateway.support.TestGateway.API_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A trunk whose proxy is a domain name, located through a real DNS server on loopback (dnsmasq):
 * NAPTR → SRV → A, the servers tried in SRV priority order, the next one after silence or a 503
 * (RFC 3263 §4.3) — for REGISTER and for OPTIONS — with the domain kept in the requests.
 */
class ProxyLocationScenarioTest {
    /** carrier.test: NAPTR → _sip._udp SRV → a silent server, one answering 503, one answering. */
    private static List<String> zone(int silent, int unavailable, int working) {
        return List.of("--naptr-record=carrier.test,10,50,s,SIP+D2U,,_sip._udp.carrier.test",
                "--srv-host=_sip._udp.carrier.test,silent.carrier.test," + silent + ",10,10",
                "--srv-host=_sip._udp.carrier.test,down.carrier.test," + unavailable + ",20,10",
                "--srv-host=_sip._udp.carrier.test,up.carrier.test," + working + ",30,10",
                "--host-record=silent.carrier.test,127.0.0.1", "--host-record=down.carrier.test,127.0.0.1",
                "--host-record=up.carrier.test,127.0.0.1");
    }

    private static TestGateway gateway(Path data, Dnsmasq dns) throws Exception {
        Map<String, String> env = TestGateway.env(data);
        env.put("MINIVOICE_SIP_DNS_SERVERS", dns.server());
        // Three servers share these: about a second each.
        env.put("MINIVOICE_REGISTRATION_ANSWER_TIMEOUT_SECONDS", "3");
        env.put("MINIVOICE_REGISTRATION_PING_TIMEOUT_SECONDS", "3");
        env.put("MINIVOICE_REGISTRATION_BACKOFF_MIN_SECONDS", "1");
        env.put("MINIVOICE_REGISTRATION_BACKOFF_MAX_SECONDS", "2");
        // A silent carrier server is given up after this long (the next one is tried).
        env.put("MINIVOICE_RELAY_INVITE_TIMEOUT_MS", "1000");
        return TestGateway.start(data, env);
    }

    @Test
    void aRegisterGoesThroughTheDomainsServersInOrderUntilOneAnswers(@TempDir Path data) throws Exception {
        int silent = FreePorts.next(); // nothing listens there: no answer at all
        try (Sipp unavailable = Sipp.start("carrier-registrar-503.xml", null);
             Sipp registrar = Sipp.start("carrier-registrar-200-for-domain.xml", null);
             Dnsmasq dns = Dnsmasq.start(60, zone(silent, unavailable.port, registrar.port));
             TestGateway gw = gateway(data, dns)) {
            Reply r = gw.http.post("/v1/trunks", API_KEY, "{\"name\":\"srv\",\"proxy\":\"carrier.test\","
                    + "\"username\":\"1001\",\"register_expires\":60}");
            assertEquals(201, r.status(), r.body());
            String id = r.data().get("id").asText();
            JsonNode t = Await.until("REGED through the third server", () -> gw.http.get("/v1/trunks/" + id, API_KEY).data(),
                    n -> n.get("registration_status").asText().equals("REGED"), Duration.ofSeconds(15));
            assertEquals(200, t.at("/registration/last_code").asInt());
            assertEquals(0, unavailable.await().exitCode(), "the 503 server was asked once");
            Sipp.Result ok = registrar.await();
            assertEquals(0, ok.exitCode(), "the REGISTER named the domain, not the address: " + ok.output());
            String queries = dns.log();
            assertTrue(queries.contains("query[NAPTR] carrier.test") && queries.contains("query[SRV] _sip._udp.carrier.test")
                    && queries.contains("query[A] up.carrier.test"), queries);
            // The engine saw one transaction: the failovers are inside it (same CSeq, new branch).
            JsonNode timeline = gw.http.get("/v1/trunks/" + id + "/registration", API_KEY).data();
            assertEquals(1, timeline.get("transactions").size(), timeline.toString());
        }
    }

    @Test
    void theReadinessOptionsMovesOnFromASilentAndAnUnavailableServer(@TempDir Path data) throws Exception {
        int silent = FreePorts.next();
        try (Sipp unavailable = Sipp.start("carrier-options-503.xml", null);
             Sipp proxy = Sipp.start("carrier-options-200.xml", null);
             Dnsmasq dns = Dnsmasq.start(60, zone(silent, unavailable.port, proxy.port));
             TestGateway gw = gateway(data, dns)) {
            Reply r = gw.http.post("/v1/trunks", API_KEY, "{\"name\":\"srv-ping\",\"proxy\":\"carrier.test\","
                    + "\"inbound_ip\":\"127.0.0.1\"}");
            assertEquals(201, r.status(), r.body());
            JsonNode report = gw.http.post("/v1/trunks/" + r.data().get("id").asText() + "/test", API_KEY, null).data();
            assertEquals(200, report.at("/options/sip_status").asInt(), report.toString());
            assertTrue(report.at("/options/reachable").asBoolean(), report.toString());
            assertEquals("127.0.0.1:" + proxy.port + ";transport=udp", report.at("/options/server").asText(),
                    "the report names the server that answered");
            assertEquals(0, unavailable.await().exitCode());
            assertEquals(0, proxy.await().exitCode());
        }
    }

    @Test
    void anOutboundCallMovesOnFromASilentAndAnUnavailableServerOfTheSameTrunk(@TempDir Path data) throws Exception {
        int silent = FreePorts.next();
        int unavailablePort = FreePorts.next();
        int carrierPort = FreePorts.next();
        try (Dnsmasq dns = Dnsmasq.start(60, zone(silent, unavailablePort, carrierPort));
             TestGateway gw = gateway(data, dns)) {
            assertEquals(201, gw.http.post("/v1/numbers", API_KEY, "{\"number\":\"+15551230001\"}").status());
            Reply r = gw.http.post("/v1/trunks", API_KEY, "{\"name\":\"srv-calls\",\"proxy\":\"carrier.test\"}");
            String trunk = r.data().get("id").asText();
            try (Sipp unavailable = Sipp.startOnPort("carrier-uas-503.xml", unavailablePort);
                 Sipp carrier = Sipp.startOnPort("carrier-uas-answer.xml", carrierPort)) {
                Sipp.Result platform = Sipp.run("platform-uac-call.xml", "127.0.0.1:" + gw.sipInternalPort(),
                        "-key", "customer", "cust_default", "-key", "to", "+15551230077", "-key", "from", "+15551230001");
                assertEquals(0, platform.exitCode(), platform.output());
                assertEquals(0, unavailable.await().exitCode(), "the second server got the INVITE and answered 503");
                Sipp.Result answered = carrier.await();
                assertEquals(0, answered.exitCode(), answered.output());
            }
            JsonNode attempts = gw.awaitCallEvent("call.completed", "+15551230077").get("data").get("attempts");
            // One trunk, three servers: silence, 503, answer — each attempt on record.
            assertEquals(3, attempts.size(), attempts.toString());
            for (JsonNode a : attempts) {
                assertEquals(trunk, a.get("trunk_id").asText());
            }
            assertEquals(408, attempts.get(0).get("sip_code").asInt(), attempts.toString());
            assertEquals(503, attempts.get(1).get("sip_code").asInt(), attempts.toString());
            assertEquals(200, attempts.get(2).get("sip_code").asInt(), attempts.toString());
        }
    }

    @Test
    void aNameWhoseSrvLeadsToAForbiddenAddressIsRefusedWhenSaved(@TempDir Path data) throws Exception {
        try (Dnsmasq dns = Dnsmasq.start(60, List.of("--srv-host=_sip._udp.meta.test,metadata.meta.test,5060,10,10",
                "--host-record=metadata.meta.test,169.254.169.254"));
             TestGateway gw = gateway(data, dns)) {
            // The name itself has no address (the JVM's resolver knows nothing of it): only its SRV
            // target does, and that is the cloud metadata address.
            Reply r = gw.http.post("/v1/trunks", API_KEY, "{\"name\":\"meta\",\"proxy\":\"meta.test;transport=udp\"}");
            assertEquals(422, r.status(), r.body());
            assertEquals("proxy", r.errorField());
            assertTrue(r.body().contains("meta.test resolves to a link-local address"), r.body());
        }
    }

    @Test
    void aPlatformTargetNamedByADomainIsLocatedThroughItsSrvRecords(@TempDir Path data) throws Exception {
        int carrierPort = FreePorts.next();
        int platformPort = FreePorts.next();
        try (Dnsmasq dns = Dnsmasq.start(60, List.of(
                "--srv-host=_sip._udp.platform.test,pbx.platform.test," + platformPort + ",10,10",
                "--host-record=pbx.platform.test,127.0.0.1",
                "--srv-host=_sip._udp.meta.test,metadata.meta.test,5060,10,10",
                "--host-record=metadata.meta.test,169.254.169.254"));
             TestGateway gw = gateway(data, dns)) {
            assertEquals(201, gw.http.post("/v1/numbers", API_KEY, "{\"number\":\"+15551230001\"}").status());
            assertEquals(201, gw.http.post("/v1/trunks", API_KEY, "{\"name\":\"literal\",\"proxy\":\"127.0.0.1:"
                    + carrierPort + "\",\"direction\":\"outbound\"}").status());
            // Its SRV target is the cloud metadata address: refused before anything is sent.
            Reply refused = gw.http.post("/v1/calls", API_KEY, "{\"to\":\"+15551230462\",\"from\":\"+15551230001\","
                    + "\"connect_to\":\"sip:agent@meta.test\"}");
            assertEquals(422, refused.status(), refused.body());
            assertTrue(refused.body().contains("meta.test leads to a link-local address"), refused.body());

            try (Sipp carrier = Sipp.startOnPort("carrier-uas-3pcc-answer.xml", carrierPort);
                 Sipp platform = Sipp.startOnPort("platform-uas-3pcc-answer-then-bye.xml", platformPort)) {
                // No port: RFC 3263 — the domain's SRV record says where its SIP server listens.
                Reply placed = gw.http.post("/v1/calls", API_KEY, "{\"to\":\"+15551230461\",\"from\":\"+15551230001\","
                        + "\"connect_to\":\"sip:agent@platform.test\"}");
                assertEquals(201, placed.status(), placed.body());
                Sipp.Result p = platform.await();
                assertEquals(0, p.exitCode(), "the platform's server from the SRV record got the call: " + p.output());
                assertEquals(0, carrier.await().exitCode());
                String id = placed.data().get("id").asText();
                JsonNode rec = Await.until("the call record", () -> gw.http.get("/v1/calls/" + id, API_KEY).data(),
                        n -> n.get("status").asText().equals("completed"), Duration.ofSeconds(10));
                assertEquals("sip:agent@127.0.0.1:" + platformPort + ";transport=udp",
                        rec.get("attempts").get(1).get("target").asText(), "pinned to the server located");
            }
            assertTrue(dns.log().contains("query[SRV] _sip._udp.platform.test"), dns.log());
        }
    }

    @Test
    void aNameThatLeadsNowhereSaysSoInTheTrunksReason(@TempDir Path data) throws Exception {
        try (Dnsmasq dns = Dnsmasq.start(60, List.of("--host-record=other.test,127.0.0.1"));
             TestGateway gw = gateway(data, dns)) {
            Reply r = gw.http.post("/v1/trunks", API_KEY, "{\"name\":\"nowhere\",\"proxy\":\"nowhere.test\","
                    + "\"username\":\"1001\"}");
            String id = r.data().get("id").asText();
            JsonNode t = Await.until("a failed attempt", () -> gw.http.get("/v1/trunks/" + id, API_KEY).data(),
                    n -> n.at("/registration/last_reason").asText("").contains("no SIP server found for nowhere.test"),
                    Duration.ofSeconds(10));
            assertTrue(t.at("/registration/last_reason").asText().startsWith("cannot resolve proxy"), t.toString());
        }
    }
}
