package eu.minivoice.gateway.api;

import eu.minivoice.gateway.support.Await;
import eu.minivoice.gateway.support.FreePorts;
import eu.minivoice.gateway.support.Http.Reply;
import eu.minivoice.gateway.support.RawSip;
import eu.minivoice.gateway.support.Sipp;
import eu.minivoice.gateway.support.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static eu.minivoice.gateway.support.TestGateway.API_KEY;
import static eu.minivoice.gateway.support.TestGateway.OPERATOR_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GET /metrics (docs/metrics.md) as Prometheus scrapes it: operator key only, the text format, the
 * documented series moving with real SIP traffic, and no label a peer can choose.
 */
class MetricsApiTest {
    private static double value(String scrape, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    @Test
    void operatorsScrapeTheDocumentedSeriesAndTheyFollowTheTraffic(@TempDir Path data) throws Exception {
        try (TestGateway gw = TestGateway.start(data)) {
            assertEquals(401, gw.http.get("/metrics", null).status());
            assertEquals(401, gw.http.get("/metrics", API_KEY).status(), "a customer's key sees no gateway-wide figures");
            Reply r = gw.http.get("/metrics", OPERATOR_KEY);
            assertEquals(200, r.status());
            assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/plain; version=0.0.4"));
            String first = r.body();
            for (String name : new String[] {"minivoice_calls_active{direction=\"inbound\"}",
                    "minivoice_calls_active{direction=\"outbound\"}", "minivoice_trunks{registration_status=\"REGED\"}",
                    "minivoice_trunk_health{health=\"UP\"}", "minivoice_outbox_pending",
                    "minivoice_webhook_deliveries_total{result=\"delivered\"}",
                    "minivoice_sip_messages_total{method=\"INVITE\",side=\"internal\"}",
                    "minivoice_call_setup_seconds_count", "minivoice_webhook_delivery_seconds_count",
                    "minivoice_calls_total{direction=\"inbound\",status=\"completed\"} 0",
                    "minivoice_registrations_total{result=\"reged\"} 0",
                    "minivoice_inbound_refused_total{reason=\"unknown_source\"} 0",
                    "jvm_memory_used_bytes", "process_uptime_seconds", "jvm_threads_live_threads"}) {
                assertTrue(first.contains(name), name + " missing from:\n" + first);
            }

            // GET /version: operator only, with this node's id.
            assertEquals(401, gw.http.get("/version", API_KEY).status());
            var version = gw.http.get("/version", OPERATOR_KEY).data();
            assertTrue(version.get("version").asText().matches("\\d+\\.\\d+\\.\\d+.*"), version.toString());
            assertFalse(version.get("node_id").asText().isEmpty(), version.toString());

            // The sample dashboard asks only for series that exist.
            Matcher used = Pattern.compile("minivoice_[a-z_]+").matcher(
                    java.nio.file.Files.readString(Path.of("docs/grafana-dashboard.json")));
            while (used.find()) {
                assertTrue(first.contains(used.group()), "docs/grafana-dashboard.json asks for " + used.group());
            }

            // An answered outbound call that the platform hangs up.
            int carrierPort = FreePorts.next();
            assertEquals(201, gw.http.post("/v1/trunks", API_KEY, "{\"name\":\"metrics\",\"proxy\":\"127.0.0.1:"
                    + carrierPort + "\",\"register\":false}").status());
            assertEquals(201, gw.http.post("/v1/numbers", API_KEY, "{\"number\":\"+15551230001\"}").status());
            try (Sipp carrier = Sipp.startOnPort("carrier-uas-answer.xml", carrierPort)) {
                Sipp.Result platform = Sipp.run("platform-uac-call.xml", "127.0.0.1:" + gw.sipInternalPort(),
                        "-key", "customer", "cust_default", "-key", "to", "+15551230070", "-key", "from", "+15551230001");
                assertEquals(0, platform.exitCode(), platform.output());
            }
            String after = Await.until("the call counted", () -> gw.http.get("/metrics", OPERATOR_KEY).body(),
                    s -> value(s, "minivoice_calls_total{direction=\"outbound\",status=\"completed\"}") == 1,
                    Duration.ofSeconds(10));
            assertEquals(1, value(after, "minivoice_call_setup_seconds_count"), "one answered call timed");
            assertEquals(0, value(after, "minivoice_calls_active{direction=\"outbound\"}"));
            // Over UDP the platform's BYE transaction stays 32 s (RFC 3261 Timer J) to absorb a resent BYE.
            assertTrue(value(after, "minivoice_sip_transactions{kind=\"server\"}") >= 1, after);
            // Function gauges read live values, also after a collection (Micrometer holds their source weakly).
            System.gc();
            String collected = gw.http.get("/metrics", OPERATOR_KEY).body();
            assertEquals(0, value(collected, "minivoice_trunks{registration_status=\"REGED\"}"), collected);
            assertTrue(value(collected, "minivoice_outbox_pending") >= 0, collected);
            assertTrue(value(collected, "minivoice_webhook_deliveries_total{result=\"delivered\"}") >= 0, collected);
            assertTrue(value(after, "minivoice_sip_messages_total{method=\"INVITE\",side=\"internal\"}") >= 1);
            assertTrue(value(after, "minivoice_sip_messages_total{method=\"BYE\",side=\"internal\"}") >= 1);

            // A made-up method is counted as "other", never as a label of its own.
            RawSip.send("FOOBAR sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:PORT;branch=z9hG4bK-m1\r\n"
                    + "From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:x@127.0.0.1>\r\nCall-ID: metrics-foobar\r\n"
                    + "CSeq: 1 FOOBAR\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n", gw.sipExternalPort());
            String last = Await.until("the odd method counted", () -> gw.http.get("/metrics", OPERATOR_KEY).body(),
                    s -> value(s, "minivoice_sip_messages_total{method=\"other\",side=\"external\"}") >= 1,
                    Duration.ofSeconds(5));
            assertFalse(last.contains("FOOBAR"), "no label from the wire");
        }
    }

    /**
     * The stack's gauges count what it holds and fall back to zero once the calls are over: an
     * answered call, a busy one, a cancelled one and one with a re-INVITE, all over TCP (no RFC 3261
     * linger for reliable transports: transactions end at once, dialogs after a 2 s linger). A
     * transaction or dialog the stack failed to release (e.g. a cleanup strategy that loses the
     * key it is filed under) would keep a gauge above zero.
     */
    @Test
    void theStackReleasesEveryTransactionAndDialogOfFinishedCalls(@TempDir Path data) throws Exception {
        try (TestGateway gw = TestGateway.start(data)) {
            String empty = gw.http.get("/metrics", OPERATOR_KEY).body();
            assertEquals(0, value(empty, "minivoice_sip_transactions{kind=\"server\"}"), empty);
            assertEquals(0, value(empty, "minivoice_sip_transactions{kind=\"client\"}"), empty);
            assertEquals(0, value(empty, "minivoice_sip_dialogs"), empty);

            int carrierPort = FreePorts.next();
            assertEquals(201, gw.http.post("/v1/trunks", API_KEY, "{\"name\":\"stack-tcp\",\"proxy\":\"127.0.0.1:"
                    + carrierPort + ";transport=tcp\",\"register\":false}").status());
            assertEquals(201, gw.http.post("/v1/numbers", API_KEY, "{\"number\":\"+15551230001\"}").status());
            String[][] calls = {
                    {"carrier-uas-answer.xml", "platform-uac-call.xml", "+15551230071"},
                    {"carrier-uas-486.xml", "platform-uac-expect-486.xml", "+15551230072"},
                    {"carrier-uas-ring-then-cancel.xml", "platform-uac-cancel.xml", "+15551230073"},
                    {"carrier-uas-reinvite.xml", "platform-uac-reinvite.xml", "+15551230074"}};
            for (String[] call : calls) {
                try (Sipp carrier = Sipp.startOnPort(call[0], carrierPort, "-t", "t1")) {
                    Sipp.Result platform = Sipp.run(call[1], "127.0.0.1:" + gw.sipInternalPort(), "-t", "t1",
                            "-key", "customer", "cust_default", "-key", "to", call[2], "-key", "from", "+15551230001");
                    assertEquals(0, platform.exitCode(), call[1] + ": " + platform.output());
                    Sipp.Result c = carrier.await();
                    assertEquals(0, c.exitCode(), call[0] + ": " + c.output());
                }
            }
            Await.until("four calls ended", () -> gw.http.get("/metrics", OPERATOR_KEY).body(),
                    s -> value(s, "minivoice_calls_active{direction=\"outbound\"}") == 0
                            && value(s, "minivoice_sip_messages_total{method=\"INVITE\",side=\"internal\"}") >= 5,
                    Duration.ofSeconds(10));
            String drained = Await.until("the stack's tables empty again", () -> gw.http.get("/metrics", OPERATOR_KEY).body(),
                    s -> value(s, "minivoice_sip_transactions{kind=\"server\"}") == 0
                            && value(s, "minivoice_sip_transactions{kind=\"client\"}") == 0
                            && value(s, "minivoice_sip_dialogs") == 0,
                    Duration.ofSeconds(20));
            assertEquals(0, value(drained, "minivoice_sip_dialogs"), drained);
        }
    }
}
