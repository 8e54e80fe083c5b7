package eu.minivoice.gateway.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import eu.minivoice.gateway.Main;
import eu.minivoice.gateway.support.FreePorts;
import eu.minivoice.gateway.support.Http;
import eu.minivoice.gateway.support.Postgres;
import eu.minivoice.gateway.support.Sipp;
import eu.minivoice.gateway.support.WebhookReceiver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Scale-out as an operator runs it (docs/scale-out.md): two gateway processes on one real
 * PostgreSQL, a SIPp registrar for 100 trunks, kill -9 of one node.
 */
class TwoNodeFailoverTest {
    private static final String API_KEY = "cluster-test-key-0123456789";
    private static final int TRUNKS = 100;
    private static final Pattern TO_USER = Pattern.compile("(?m)^To: *<sip:([^@>]+)@");
    private static final Pattern CONTACT_PORT = Pattern.compile("(?m)^Contact: *<sip:[^>]*@[^>:]+:(\\d+)");

    @TempDir
    Path dir;
    private final List<Process> nodes = new ArrayList<>();
    private final ObjectMapper mapper = new ObjectMapper();

    @AfterEach
    void stopNodes() throws Exception {
        for (Process p : nodes) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private record Node(String id, Process process, Http http, int sipPort, Path log) {
    }

    private Node launch(String id, String databaseUrl, String secretKey) throws Exception {
        int admin = FreePorts.next();
        int sip = FreePorts.next();
        Path log = dir.resolve(id + ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("MINIVOICE_"));
        env.put("MINIVOICE_NODE_ID", id);
        env.put("MINIVOICE_DATA_DIR", dir.resolve(id).toString());
        env.put("MINIVOICE_DATABASE_URL", databaseUrl);
        env.put("MINIVOICE_DATABASE_USER", Postgres.USER);
        env.put("MINIVOICE_SECRET_KEY", secretKey); // every node opens the same sealed secrets
        env.put("MINIVOICE_API_KEY", API_KEY);
        env.put("MINIVOICE_ADMIN_PORT", Integer.toString(admin));
        env.put("MINIVOICE_SIP_EXTERNAL_PORT", Integer.toString(sip));
        env.put("MINIVOICE_SIP_INTERNAL_PORT", Integer.toString(FreePorts.next()));
        env.put("MINIVOICE_SECURITY_ALLOWED_PRIVATE_CIDRS", "127.0.0.0/8");
        env.put("MINIVOICE_QUOTAS_TRUNKS", "1000");
        env.put("MINIVOICE_NODE_HEARTBEAT_MS", "500");
        env.put("MINIVOICE_NODE_LEASE_SECONDS", "3");
        env.put("MINIVOICE_WEBHOOKS_BACKOFF_MIN_MS", "200");
        env.put("MINIVOICE_WEBHOOKS_BACKOFF_MAX_SECONDS", "1");
        Process p = pb.start();
        nodes.add(p);
        Http http = new Http("http://127.0.0.1:" + admin);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                if (http.get("/health", null).status() == 200) {
                    break;
                }
            } catch (RuntimeException e) {
                // not listening yet
            }
            if (!p.isAlive() || System.nanoTime() > deadline) {
                fail("node " + id + " did not start:\n" + Files.readString(log));
            }
            Thread.sleep(100);
        }
        return new Node(id, p, http, sip, log);
    }

    /** Trunk name → (registration_status, owner_node) as a node's API shows them. */
    private Map<String, List<String>> trunks(Node node) {
        Http.Reply r = node.http.get("/v1/trunks?limit=1000", API_KEY);
        assertEquals(200, r.status(), r.body());
        Map<String, List<String>> out = new TreeMap<>();
        for (JsonNode t : r.data()) {
            out.put(t.get("name").asText(), List.of(t.get("registration_status").asText(),
                    t.get("owner_node").isNull() ? "-" : t.get("owner_node").asText()));
        }
        return out;
    }

    private static Map<String, List<String>> await(String what, java.util.function.Supplier<Map<String, List<String>>> probe,
                                                   java.util.function.Predicate<Map<String, List<String>>> ok,
                                                   Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        Map<String, List<String>> last = probe.get();
        while (!ok.test(last)) {
            if (System.nanoTime() > deadline) {
                fail(what + " not reached within " + within + "; last: " + last);
            }
            Thread.sleep(100);
            last = probe.get();
        }
        return last;
    }

    /** Trunk user → the SIP ports (nodes) its REGISTERs came from, in the registrar's log from {@code from} on. */
    private static Map<String, Set<String>> registersByUser(Path messages, long from) throws Exception {
        Map<String, Set<String>> out = new HashMap<>();
        if (!Files.exists(messages)) {
            return out;
        }
        String log = Files.readString(messages);
        for (String block : log.substring((int) Math.min(from, log.length())).split("message received")) {
            int start = block.indexOf("REGISTER sip:");
            if (start < 0) {
                continue;
            }
            Matcher to = TO_USER.matcher(block);
            Matcher contact = CONTACT_PORT.matcher(block);
            if (to.find() && contact.find()) {
                out.computeIfAbsent(to.group(1), k -> new HashSet<>()).add(contact.group(1));
            }
        }
        return out;
    }

    @Test
    void eachTrunkHasOneOwnerAndTheSurvivorTakesOverTrunksAndDeliveriesAfterKill9() throws Exception {
        String url = Postgres.shared().newDatabase();
        String key = java.util.Base64.getEncoder().encodeToString(new byte[32]).replace('A', 'k');
        Path messages = dir.resolve("registrar-messages.log");
        try (WebhookReceiver receiver = new WebhookReceiver();
             Sipp registrar = Sipp.startOnPort("carrier-registrar-200.xml", FreePorts.next(), "-m", "1000000",
                     "-l", "10000", "-timeout", "600s", "-trace_msg", "-message_file", messages.toString())) {
            // Every event delivery answered 200 at most once per event is what "exactly once" means here.
            Map<String, Set<String>> okByEvent = new ConcurrentHashMap<>();
            boolean[] accepting = {false};
            receiver.respond(req -> {
                if (!accepting[0]) {
                    return WebhookReceiver.Answer.of(503);
                }
                try {
                    String eventId = mapper.readTree(req.body()).get("id").asText();
                    okByEvent.computeIfAbsent(eventId, k -> ConcurrentHashMap.newKeySet())
                            .add(req.header("X-MiniVoice-Delivery"));
                } catch (Exception e) {
                    return WebhookReceiver.Answer.of(400);
                }
                return WebhookReceiver.Answer.of(200);
            });

            Node a = launch("node-a", url, key);
            Node b = launch("node-b", url, key);
            Thread.sleep(2_000); // each has seen the other's heartbeat
            assertEquals(200, a.http.send("PATCH", "/v1/account", API_KEY,
                    "{\"events_url\":\"" + receiver.url("/events") + "\"}").status());
            Thread.sleep(1_000); // node-b hears of it (NOTIFY) before any trunk exists
            for (int i = 0; i < TRUNKS; i++) {
                String body = String.format("{\"name\":\"t%03d\",\"proxy\":\"127.0.0.1:%d\",\"username\":\"u%03d\","
                        + "\"password\":\"pw\",\"register_expires\":60}", i, registrar.port, i);
                Http.Reply r = (i % 2 == 0 ? a : b).http.post("/v1/trunks", API_KEY, body);
                assertEquals(201, r.status(), r.body());
            }

            // Every trunk REGED, owned by one of the two, both nodes' APIs agreeing.
            Set<String> both = Set.of(a.id, b.id);
            Map<String, List<String>> onA = await("all trunks REGED on node-a's API", () -> trunks(a),
                    m -> m.size() == TRUNKS && m.values().stream()
                            .allMatch(v -> v.get(0).equals("REGED") && both.contains(v.get(1))), Duration.ofSeconds(30));
            await("node-b's API showing the same", () -> trunks(b), onA::equals, Duration.ofSeconds(10));
            long ownedByA = onA.values().stream().filter(v -> v.get(1).equals(a.id)).count();
            assertTrue(ownedByA > 10 && ownedByA < 90, "trunks spread across the nodes: node-a owns " + ownedByA);

            // The registrar saw each trunk register from exactly one node.
            Map<String, Set<String>> before = registersByUser(messages, 0);
            assertEquals(TRUNKS, before.size(), "REGISTERs seen for " + before.keySet());
            before.forEach((user, ports) -> assertEquals(1, ports.size(), user + " registered from " + ports));
            for (Map.Entry<String, List<String>> e : onA.entrySet()) {
                String user = "u" + e.getKey().substring(1);
                String port = Integer.toString(e.getValue().get(1).equals(a.id) ? a.sipPort : b.sipPort);
                assertEquals(Set.of(port), before.get(user), user + " registered by its owner");
            }

            // kill -9 node-a: node-b registers all of node-a's trunks within 30 s.
            long logOffset = Files.size(messages);
            long killed = System.nanoTime();
            a.process.destroyForcibly(); // SIGKILL: no un-REGISTER, no lease given back
            assertTrue(a.process.waitFor(10, TimeUnit.SECONDS));
            await("every trunk REGED and owned by node-b", () -> trunks(b),
                    m -> m.size() == TRUNKS && m.values().stream()
                            .allMatch(v -> v.get(0).equals("REGED") && v.get(1).equals(b.id)), Duration.ofSeconds(30));
            long takeoverMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
            Map<String, Set<String>> after = registersByUser(messages, logOffset);
            for (Map.Entry<String, List<String>> e : onA.entrySet()) {
                if (e.getValue().get(1).equals(a.id)) {
                    String user = "u" + e.getKey().substring(1);
                    assertEquals(Set.of(Integer.toString(b.sipPort)), after.get(user),
                            user + " re-registered by node-b after the kill");
                }
            }
            System.out.println("takeover after kill -9: " + takeoverMs + " ms for " + ownedByA + " trunks");

            // Every accepted event is delivered, each under one delivery id — node-a's pending ones by node-b.
            accepting[0] = true;
            try (Connection c = DriverManager.getConnection(url, Postgres.USER, "")) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                Map<String, List<String[]>> rows;
                while (true) {
                    rows = new HashMap<>();
                    try (Statement st = c.createStatement();
                         ResultSet rs = st.executeQuery("SELECT d.id, d.event_id, d.status, d.node_id FROM deliveries d"
                                 + " WHERE d.target_kind = 'customer'")) {
                        while (rs.next()) {
                            rows.computeIfAbsent(rs.getString(2), k -> new ArrayList<>()).add(new String[] {
                                    rs.getString(1), rs.getString(3), rs.getString(4)});
                        }
                    }
                    boolean allDelivered = rows.values().stream().flatMap(List::stream).allMatch(r -> r[1].equals("delivered"));
                    if (allDelivered && okByEvent.keySet().containsAll(rows.keySet())) {
                        break;
                    }
                    if (System.nanoTime() > deadline) {
                        fail("not every delivery delivered within 30 s: " + rows.size() + " events, answered "
                                + okByEvent.size());
                    }
                    Thread.sleep(200);
                }
                assertTrue(rows.size() >= TRUNKS, "registration events stored: " + rows.size());
                for (Map.Entry<String, List<String[]>> e : rows.entrySet()) {
                    assertEquals(1, e.getValue().size(), "one delivery row per event and target: " + e.getKey());
                    String[] row = e.getValue().get(0);
                    assertEquals(Set.of(row[0]), okByEvent.get(e.getKey()),
                            "event " + e.getKey() + " answered under its one delivery id only");
                    assertEquals(b.id, row[2], "delivered by the survivor");
                }
                try (Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM events e WHERE NOT EXISTS"
                             + " (SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND d.target_kind = 'customer')")) {
                    rs.next();
                    assertEquals(0, rs.getInt(1), "events without a delivery to the customer's URL");
                }
            }
        }
    }
}
