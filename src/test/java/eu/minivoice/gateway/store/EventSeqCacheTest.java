package eu.minivoice.gateway.store;

import eu.minivoice.gateway.config.GatewayConfig;
import eu.minivoice.gateway.domain.StoredEvent;
import eu.minivoice.gateway.support.Postgres;
import eu.minivoice.gateway.support.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Schema version 15: on the embedded H2 a batch of events costs one store commit (H2's identity
 * cache no longer commits the store every 32 values), and events — some stored before the
 * migration — still list in the order they were written across the upgrade and a restart. On
 * PostgreSQL the sequence keeps a cache of 1, so that nodes take values in the order they accept
 * events.
 */
class EventSeqCacheTest {
    @TempDir
    Path dir;

    private GatewayConfig.DatabaseConfig config() throws Exception {
        String url = TestGateway.onPostgres() ? Postgres.shared().newDatabase() : "";
        return new GatewayConfig.DatabaseConfig(url, dir, TestGateway.onPostgres() ? Postgres.USER : "", "", 2);
    }

    @Test
    void aBatchOfEventsIsOneStoreCommitAndOrderHoldsAcrossTheUpgradeAndARestart() throws Exception {
        GatewayConfig.DatabaseConfig config = config();
        List<String> written = new ArrayList<>();
        try (Database v14 = Database.openAt(config, "14")) { // events from before the migration
            try (Connection c = v14.dataSource().getConnection(); Statement s = c.createStatement()) {
                s.execute("INSERT INTO customers (id, name, created_at) VALUES ('cust_1', 'One', CURRENT_TIMESTAMP)");
            }
            new JdbcOutboxStore(v14.dataSource(), "node-a").write(events(0, 100, written), List.of(), List.of());
        }
        try (Database db = Database.open(config)) {
            JdbcOutboxStore store = new JdbcOutboxStore(db.dataSource(), "node-a");
            try (Connection c = db.dataSource().getConnection()) {
                org.h2.mvstore.MVStore mv = Database.mvStore(c);
                long before = mv == null ? 0 : mv.getCurrentVersion();
                store.write(events(100, 500, written), List.of(), List.of());
                if (mv != null) {
                    // 500 values from a cache of 32 would be 15 more store commits
                    long commits = mv.getCurrentVersion() - before;
                    assertTrue(commits <= 2, "store commits for one batch of 500 events: " + commits);
                }
            }
        }
        try (Database db = Database.open(config)) {
            JdbcOutboxStore store = new JdbcOutboxStore(db.dataSource(), "node-a");
            store.write(events(600, 10, written), List.of(), List.of());
            List<String> newestFirst = store.events("cust_1", null, null, null, 1000).stream()
                    .map(StoredEvent::id).toList();
            List<String> expected = new ArrayList<>(written);
            java.util.Collections.reverse(expected);
            assertEquals(expected, newestFirst, "listed newest first, in the order written, across a restart");
            try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery(TestGateway.onPostgres()
                         ? "SELECT seqcache FROM pg_sequence WHERE seqrelid = pg_get_serial_sequence('events', 'seq')::regclass"
                         : "SELECT identity_cache FROM information_schema.columns"
                                 + " WHERE table_name = 'events' AND column_name = 'seq'")) {
                assertTrue(rs.next());
                assertEquals(TestGateway.onPostgres() ? 1 : V15__EmbeddedEventSeqCache.CACHE, rs.getLong(1));
            }
        }
    }

    private static List<StoredEvent> events(int from, int count, List<String> written) {
        List<StoredEvent> batch = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            String id = String.format("evt_%05d", i);
            written.add(id);
            batch.add(new StoredEvent(id, "cust_1", "call.initiated", "call_1", null, Instant.now(),
                    "{\"id\":\"" + id + "\"}"));
        }
        return batch;
    }
}
