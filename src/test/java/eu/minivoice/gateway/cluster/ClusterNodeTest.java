package eu.minivoice.gateway.cluster;

import eu.minivoice.gateway.config.GatewayConfig;
import eu.minivoice.gateway.domain.RegistrationSnapshot;
import eu.minivoice.gateway.domain.RegistrationStatus;
import eu.minivoice.gateway.domain.Trunk;
import eu.minivoice.gateway.domain.TrunkDirection;
import eu.minivoice.gateway.domain.TrunkHealth;
import eu.minivoice.gateway.domain.TrunkSpec;
import eu.minivoice.gateway.routing.CallLimiter;
import eu.minivoice.gateway.store.ClusterStore;
import eu.minivoice.gateway.store.Database;
import eu.minivoice.gateway.store.JdbcClusterStore;
import eu.minivoice.gateway.store.StoreException;
import eu.minivoice.gateway.support.Postgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Leases between nodes on a real PostgreSQL (no SIP: the registration side is a recorder that
 * checks no trunk ever has two registering nodes at once).
 */
class ClusterNodeTest {
    private static final ClusterSettings FAST = new ClusterSettings(Duration.ofMillis(200), Duration.ofMillis(1_200),
            Duration.ofSeconds(30), Duration.ZERO);

    private Database database;
    private final List<ClusterNode> nodes = new ArrayList<>();
    /** Trunk id → the node registering it now; a second one is a failure. */
    private final Map<String, String> registering = new ConcurrentHashMap<>();
    private final List<String> overlaps = new CopyOnWriteArrayList<>();
    private final List<String> lost = new CopyOnWriteArrayList<>();
    private final List<Trunk> trunks = new ArrayList<>();

    @BeforeEach
    void openDatabase() throws Exception {
        database = Database.open(new GatewayConfig.DatabaseConfig(Postgres.shared().newDatabase(), Path.of("unused"),
                Postgres.USER, "", 4));
        for (int i = 0; i < 60; i++) {
            TrunkSpec spec = new TrunkSpec("t" + i, "127.0.0.1:5999", "u" + i, "p", null, null, null, true, "gw" + i,
                    TrunkDirection.BOTH, 100, null, 3600, 0, null, null, null, null);
            trunks.add(new Trunk("trk_" + i, "cust_1", spec, Instant.EPOCH, Instant.EPOCH));
        }
    }

    @AfterEach
    void close() {
        nodes.forEach(ClusterNode::close);
        database.close();
    }

    private final class Recorder implements ClusterNode.LocalTrunks {
        final String node;
        final Set<String> mine = ConcurrentHashMap.newKeySet();

        Recorder(String node) {
            this.node = node;
        }

        @Override
        public void acquire(Trunk trunk, Duration delay) {
            String other = registering.putIfAbsent(trunk.id(), node);
            if (other != null && !other.equals(node)) {
                overlaps.add(trunk.id() + " taken by " + node + " while " + other + " registers it");
            }
            mine.add(trunk.id());
        }

        @Override
        public CompletableFuture<Void> release(Collection<String> trunkIds) {
            for (String id : trunkIds) {
                registering.remove(id, node);
                mine.remove(id);
            }
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public Optional<RegistrationSnapshot> snapshot(String trunkId) {
            return mine.contains(trunkId)
                    ? Optional.of(new RegistrationSnapshot(RegistrationStatus.REGED, 200, "OK " + node, null, null, null))
                    : Optional.empty();
        }

        @Override
        public Optional<TrunkHealth> health(String trunkId) {
            return Optional.empty();
        }
    }

    private Recorder start(String id, ClusterStore store) {
        return start(id, store, null);
    }

    private Recorder start(String id, ClusterStore store, CallLimiter limiter) {
        ClusterNode node = new ClusterNode(id, store, FAST, () -> trunks, System::nanoTime, lost::add);
        Recorder r = new Recorder(id);
        node.start(r, limiter);
        nodes.add(node);
        return r;
    }

    private static void await(String what, Supplier<Boolean> ok) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!ok.get()) {
            if (System.nanoTime() > deadline) {
                fail(what + " not reached in 15 s");
            }
            Thread.sleep(50);
        }
    }

    @Test
    void aJoiningNodeTakesItsShareWithoutAnyTrunkRegisteredTwiceAndALeavingOneHandsAllBack() throws Exception {
        JdbcClusterStore store = new JdbcClusterStore(database.dataSource());
        Recorder a = start("node-a", store);
        await("node-a owns every trunk", () -> a.mine.size() == trunks.size());

        Recorder b = start("node-b", store);
        await("the trunks split between the two", () -> !b.mine.isEmpty() && a.mine.size() + b.mine.size() == trunks.size()
                && registering.size() == trunks.size());
        assertTrue(b.mine.size() > 10 && a.mine.size() > 10, "spread: " + a.mine.size() + "/" + b.mine.size());
        for (Trunk t : trunks) {
            String expected = Rendezvous.owner(t.id(), List.of("node-a", "node-b"));
            assertEquals(expected, registering.get(t.id()), t.id());
        }
        // node-b sees node-a's trunks as node-a wrote them.
        ClusterNode nodeB = nodes.get(1);
        String ofA = a.mine.iterator().next();
        await("node-a's state shared", () -> nodeB.sharedState(ofA).isPresent());
        assertEquals("node-a", nodeB.sharedState(ofA).get().nodeId());
        assertEquals(RegistrationStatus.REGED, nodeB.sharedState(ofA).get().registration().status());

        nodes.remove(0).close(); // graceful: leases handed back at once
        await("node-b owns every trunk", () -> b.mine.size() == trunks.size());
        assertTrue(overlaps.isEmpty(), overlaps.toString());
        assertEquals(List.of("node-a"), lost, "the node that left is treated as lost once");
    }

    @Test
    void aNodeThatLosesTheDatabaseStopsRegisteringBeforeAnotherTakesOver() throws Exception {
        JdbcClusterStore real = new JdbcClusterStore(database.dataSource());
        boolean[] down = {false};
        ClusterStore flaky = (ClusterStore) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ClusterStore.class}, (proxy, method, args) -> {
                    if (down[0]) {
                        throw new StoreException("connection refused (test)", new java.sql.SQLException("down"));
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        Recorder a = start("node-a", flaky);
        await("node-a owns every trunk", () -> a.mine.size() == trunks.size());
        Recorder b = start("node-b", real);
        await("split", () -> !b.mine.isEmpty() && a.mine.size() + b.mine.size() == trunks.size());

        down[0] = true; // node-a cannot reach the database any more
        await("node-a stopped registering", a.mine::isEmpty);
        await("node-b registers every trunk", () -> b.mine.size() == trunks.size());
        assertTrue(overlaps.isEmpty(), "never two owners: " + overlaps);
        assertTrue(lost.contains("node-a"));

        down[0] = false; // back: it rejoins and takes its share again, still without overlap
        await("node-a back with its share", () -> !a.mine.isEmpty() && a.mine.size() + b.mine.size() == trunks.size());
        assertTrue(overlaps.isEmpty(), "never two owners: " + overlaps);
        assertFalse(a.mine.isEmpty());
    }

    @Test
    void aCustomersConcurrentCallLimitHoldsAcrossNodes() throws Exception {
        JdbcClusterStore store = new JdbcClusterStore(database.dataSource());
        CallLimiter onA = new CallLimiter(System::nanoTime);
        CallLimiter onB = new CallLimiter(System::nanoTime);
        start("node-a", store, onA);
        start("node-b", store, onB);
        for (int i = 0; i < 3; i++) {
            assertEquals(null, onA.tryAcquire("customer:cust_1", 3, null), "call " + i + " on node-a");
        }
        // Within a heartbeat node-b knows: the customer's three calls are all up elsewhere.
        await("node-b refuses a fourth call", () -> {
            if (onB.tryAcquire("customer:cust_1", 3, null) == null) {
                onB.release("customer:cust_1");
                return false;
            }
            return true;
        });
        for (int i = 0; i < 3; i++) {
            onA.release("customer:cust_1");
        }
        await("node-b admits again once they ended", () -> {
            if (onB.tryAcquire("customer:cust_1", 3, null) == null) {
                onB.release("customer:cust_1");
                return true;
            }
            return false;
        });
    }
}
