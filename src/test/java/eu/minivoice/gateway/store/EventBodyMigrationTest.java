package eu.minivoice.gateway.store;

import eu.minivoice.gateway.config.GatewayConfig;
import eu.minivoice.gateway.domain.StoredEvent;
import eu.minivoice.gateway.support.Postgres;
import eu.minivoice.gateway.support.TestGateway;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Schema version 13 (events stored as UTF-8 bytes) on a database holding version 12 events, on
 * H2 and (postgres execution) on PostgreSQL: every event — more than one copy batch, non-ASCII
 * text included — reads back exactly as it was written.
 */
class EventBodyMigrationTest {
    @TempDir
    Path dir;

    @Test
    void version12EventsReadBackUnchangedAfterTheMigration() throws Exception {
        String url = TestGateway.onPostgres() ? Postgres.shared().newDatabase() : "";
        GatewayConfig.DatabaseConfig config = new GatewayConfig.DatabaseConfig(url, dir,
                TestGateway.onPostgres() ? Postgres.USER : "", "", 2);
        int events = V13__EventPayloadAsBytes.BATCH + 7;
        String odd = "{\"id\":\"evt_odd\",\"text\":\"Zoë — ☎ 📞 \\\"quoted\\\"\"}";
        try (Database v12 = Database.openAt(config, "12")) {
            DataSource ds = v12.dataSource();
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.execute("INSERT INTO customers (id, name, created_at) VALUES ('cust_1', 'One', CURRENT_TIMESTAMP)");
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO events (id, customer_id, event_type,"
                        + " created_at, payload) VALUES (?, 'cust_1', 'call.initiated', CURRENT_TIMESTAMP, ?)")) {
                    for (int i = 0; i < events; i++) {
                        ps.setString(1, String.format("evt_%05d", i));
                        ps.setString(2, i == 3 ? odd : "{\"id\":\"evt_" + i + "\"}");
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            }
        }
        try (Database latest = Database.open(config)) {
            JdbcOutboxStore store = new JdbcOutboxStore(latest.dataSource(), "node-a");
            assertEquals(odd, store.event("cust_1", "evt_00003").orElseThrow().payload());
            List<StoredEvent> all = store.events("cust_1", null, null, null, events + 10);
            assertEquals(events, all.size(), "every event copied");
            for (StoredEvent e : all) {
                if (!e.id().equals("evt_00003")) {
                    assertEquals("{\"id\":\"evt_" + Integer.parseInt(e.id().substring(4)) + "\"}", e.payload());
                }
            }
        }
    }
}
