package eu.minivoice.gateway.support;

import eu.minivoice.gateway.Gateway;
import eu.minivoice.gateway.config.ConfigLoader;
import eu.minivoice.gateway.config.GatewayConfig;
import eu.minivoice.gateway.domain.RandomIdGenerator;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real gateway in-process: the repository's config/gateway.yml, free ports, a throw-away data
 * directory, known API and operator keys.
 */
public final class TestGateway implements AutoCloseable {
    public static final String API_KEY = "test-default-key-0123456789";
    public static final String OPERATOR_KEY = "test-operator-key-0123456789";
    public static final String LOOPBACK_TARGETS = "127.0.0.0/8,::1/128";

    public final Path dataDir;
    public final Map<String, String> env;
    public final List<String> console = new CopyOnWriteArrayList<>();
    private final Gateway gateway;
    public final Http http;

    private TestGateway(Path dataDir, Map<String, String> env) throws Exception {
        this.dataDir = dataDir;
        this.env = env;
        GatewayConfig config = new ConfigLoader().load(Path.of("config/gateway.yml"), env);
        gateway = new Gateway(config, Clock.systemUTC(), new RandomIdGenerator(new SecureRandom()), console::add);
        gateway.start();
        http = new Http("http://127.0.0.1:" + gateway.adminPort());
    }

    /** Default environment for a fresh gateway in {@code dataDir}; callers may add to it. */
    public static Map<String, String> env(Path dataDir) {
        Map<String, String> env = new HashMap<>();
        env.put("MINIVOICE_DATA_DIR", dataDir.toString());
        env.put("MINIVOICE_ADMIN_PORT", Integer.toString(FreePorts.next()));
        env.put("MINIVOICE_SIP_EXTERNAL_PORT", Integer.toString(FreePorts.next()));
        env.put("MINIVOICE_SIP_INTERNAL_PORT", Integer.toString(FreePorts.next()));
        env.put("MINIVOICE_API_KEY", API_KEY);
        env.put("MINIVOICE_ADMIN_OPERATOR_API_KEY", OPERATOR_KEY);
        // Every peer in the tests is on loopback: allow it as a target (docs/security.md).
        env.put("MINIVOICE_SECURITY_ALLOWED_PRIVATE_CIDRS", LOOPBACK_TARGETS);
        // Tests stop their gateways at once; DrainTest sets a drain of its own.
        env.put("MINIVOICE_SHUTDOWN_DRAIN_SECONDS", "0");
        if (onPostgres()) {
            // The same tests on a real PostgreSQL server (the "postgres" surefire execution): one
            // database per data directory, so a restarted gateway finds its data again.
            try {
                env.put("MINIVOICE_DATABASE_URL", Postgres.shared().databaseFor(dataDir));
            } catch (Exception e) {
                throw new IllegalStateException("cannot start the test PostgreSQL: " + e.getMessage(), e);
            }
            env.put("MINIVOICE_DATABASE_USER", Postgres.USER);
        }
        return env;
    }

    /** Whether this test run uses PostgreSQL ({@code -Dminivoice.test.database=postgres}) instead of H2. */
    public static boolean onPostgres() {
        return "postgres".equals(System.getProperty("minivoice.test.database"));
    }

    /**
     * A node of a cluster on the PostgreSQL database {@code url}: every node gets the same
     * {@code secretKey} (they open the same sealed secrets) and a quick heartbeat and lease.
     */
    public static TestGateway clusterNode(Path dataDir, String nodeId, String url, String secretKey,
                                          Map<String, String> more) throws Exception {
        Map<String, String> env = env(dataDir);
        env.put("MINIVOICE_DATABASE_URL", url);
        env.put("MINIVOICE_DATABASE_USER", Postgres.USER);
        env.put("MINIVOICE_SECRET_KEY", secretKey);
        env.put("MINIVOICE_NODE_ID", nodeId);
        env.put("MINIVOICE_NODE_HEARTBEAT_MS", "300");
        env.put("MINIVOICE_NODE_LEASE_SECONDS", "2");
        env.putAll(more);
        return new TestGateway(dataDir, env);
    }

    public static TestGateway start(Path dataDir) throws Exception {
        return new TestGateway(dataDir, env(dataDir));
    }

    public static TestGateway start(Path dataDir, Map<String, String> env) throws Exception {
        return new TestGateway(dataDir, env);
    }

    /** The gateway itself, for tests that feed its dispatcher directly. */
    public Gateway gateway() {
        return gateway;
    }

    public GatewayConfig config() {
        return gateway.config();
    }

    public int sipExternalPort() {
        return gateway.config().sip().externalPort();
    }

    public int sipInternalPort() {
        return gateway.config().sip().internalPort();
    }

    @Override
    public void close() {
        gateway.close();
    }

    /** The newest call event of this type whose call.to is {@code to}, for the default customer (waits up to 5 s). */
    public com.fasterxml.jackson.databind.JsonNode awaitCallEvent(String type, String to) {
        return Await.until(type + " for " + to, () -> {
            for (com.fasterxml.jackson.databind.JsonNode e : http.get("/v1/events?type=" + type + "&limit=50", API_KEY).data()) {
                if (e.get("call").get("to").asText().equals(to)) {
                    return e;
                }
            }
            return null;
        }, e -> true, java.time.Duration.ofSeconds(5));
    }
}
