package eu.minivoice.gateway.store;

import eu.minivoice.gateway.config.GatewayConfig;
import eu.minivoice.gateway.domain.Customer;
import eu.minivoice.gateway.domain.Delivery;
import eu.minivoice.gateway.domain.OutboxItem;
import eu.minivoice.gateway.domain.StoredEvent;
import eu.minivoice.gateway.domain.TargetKind;
import eu.minivoice.gateway.support.Postgres;
import eu.minivoice.gateway.support.TestGateway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The outbox shared by several nodes (docs/scale-out.md), on H2 and (postgres execution) on
 * PostgreSQL: seq blocks never overlap, a node pages in and updates only its own rows, and a
 * lost node's pending rows are taken over in batches, renumbered, with their event bodies.
 */
class OutboxNodesTest {
    @TempDir
    Path dir;
    private Database database;
    private JdbcOutboxStore a;
    private JdbcOutboxStore b;

    @BeforeEach
    void open() throws Exception {
        String url = TestGateway.onPostgres() ? Postgres.shared().newDatabase() : "";
        database = Database.open(new GatewayConfig.DatabaseConfig(url, dir, TestGateway.onPostgres() ? Postgres.USER : "",
                "", 4));
        new JdbcCustomerStore(database.dataSource(), new SecretBox(new byte[32], new SecureRandom()))
                .insert(new Customer("cust_1", "One", Instant.EPOCH));
        a = new JdbcOutboxStore(database.dataSource(), "node-a");
        b = new JdbcOutboxStore(database.dataSource(), "node-b");
    }

    @AfterEach
    void close() {
        database.close();
    }

    private List<Delivery> storeOnA(int n, AtomicLong seqs) {
        Instant now = Instant.parse("2026-12-01T10:00:00Z");
        List<StoredEvent> events = new ArrayList<>();
        List<Delivery> deliveries = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            events.add(new StoredEvent("evt_" + i, "cust_1", "trunk.registration", "trk_1", null, now,
                    "{\"id\":\"evt_" + i + "\"}"));
            deliveries.add(Delivery.pending(seqs.getAndIncrement(), "dlv_" + i, "evt_" + i, "cust_1", TargetKind.CUSTOMER,
                    "cust_1", "http://hooks.example:80/e", "http://hooks.example:80", "trk_1", now));
        }
        a.write(events, deliveries, List.of());
        return deliveries;
    }

    @Test
    void seqBlocksOfTwoNodesNeverOverlapAndGrow() {
        long a1 = a.takeSeqBlock(100);
        long b1 = b.takeSeqBlock(100);
        long a2 = a.takeSeqBlock(100);
        assertTrue(b1 >= a1 + 100 && a2 >= b1 + 100, a1 + " " + b1 + " " + a2);
    }

    @Test
    void aNodeSeesAndUpdatesOnlyItsOwnRowsAndTakesOverALostNodesPendingOnes() {
        List<Delivery> stored = storeOnA(5, new AtomicLong(a.takeSeqBlock(100)));
        assertEquals(List.of("http://hooks.example:80"), a.pendingEndpoints());
        assertEquals(List.of(), b.pendingEndpoints());
        assertEquals(5, a.pending("http://hooks.example:80", 0, 100).size());
        assertEquals(0, b.pending("http://hooks.example:80", 0, 100).size());

        // node-b cannot change node-a's row.
        Instant t = Instant.parse("2026-12-01T10:00:01Z");
        b.write(List.of(), List.of(), List.of(stored.get(0).delivered(200, t)));
        assertEquals(5, a.pending("http://hooks.example:80", 0, 100).size());
        // node-a delivers one itself.
        a.write(List.of(), List.of(), List.of(stored.get(0).delivered(200, t)));
        assertEquals(4, a.pending("http://hooks.example:80", 0, 100).size());

        // node-a is lost: node-b takes its four pending rows, three then one, in seq order.
        AtomicLong bSeqs = new AtomicLong(b.takeSeqBlock(100));
        List<OutboxItem> first = b.adopt(OutboxStore.Adoption.NODE, "node-a", bSeqs::getAndIncrement, 3);
        List<OutboxItem> second = b.adopt(OutboxStore.Adoption.NODE, "node-a", bSeqs::getAndIncrement, 3);
        assertEquals(List.of("dlv_1", "dlv_2", "dlv_3"), first.stream().map(o -> o.delivery().id()).toList());
        assertEquals(List.of("dlv_4"), second.stream().map(o -> o.delivery().id()).toList());
        assertEquals("trunk.registration", first.get(0).eventType());
        assertEquals("{\"id\":\"evt_1\"}", first.get(0).payload());
        assertTrue(first.get(0).delivery().seq() > stored.get(4).seq(), "renumbered into node-b's block");
        assertEquals(List.of(), b.adopt(OutboxStore.Adoption.NODE, "node-a", bSeqs::getAndIncrement, 3));
        assertEquals(4, b.pending("http://hooks.example:80", 0, 100).size());
        assertEquals(0, a.pending("http://hooks.example:80", 0, 100).size());

        // node-a comes back with a stale view: its update of a row it no longer has changes nothing.
        a.write(List.of(), List.of(), List.of(stored.get(1).failed(500, "late", t)));
        assertEquals(4, b.pending("http://hooks.example:80", 0, 100).size());
    }

    @Test
    void aNodeAloneTakesEveryPendingRowStoredUnderAnotherId() {
        storeOnA(2, new AtomicLong(a.takeSeqBlock(100)));
        AtomicLong bSeqs = new AtomicLong(b.takeSeqBlock(100));
        assertEquals(2, b.adopt(OutboxStore.Adoption.ALL_OTHERS, null, bSeqs::getAndIncrement, 1_000).size());
        assertEquals(0, b.adopt(OutboxStore.Adoption.UNOWNED, null, bSeqs::getAndIncrement, 1_000).size());
        assertEquals(2, b.pending("http://hooks.example:80", 0, 100).size());
    }
}
