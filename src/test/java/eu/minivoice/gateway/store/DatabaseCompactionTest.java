package eu.minivoice.gateway.store;

import eu.minivoice.gateway.config.GatewayConfig;
import eu.minivoice.gateway.support.Postgres;
import eu.minivoice.gateway.support.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The embedded file stays close to its data: the gateway's write pattern (many small commits,
 * rows updated and deleted) leaves H2 chunks mostly dead, and without {@link Database#compactEmbedded}
 * (H2 runs no housekeeping with durable commits) they were never reused. Two databases get the
 * same churn; one is compacted between rounds as the gateway does. Also pins the H2 internals the
 * compaction reaches (a JDBC session's MVStore): an H2 upgrade that moves them fails here.
 */
class DatabaseCompactionTest {
    @TempDir
    Path dir;

    @Test
    void theCompactedFileStaysAFractionOfTheOneLeftAlone() throws Exception {
        if (TestGateway.onPostgres()) {
            return; // the H2 file is what this is about; PostgreSQL is checked below
        }
        long compacted = churn(dir.resolve("compacted"), true);
        long leftAlone = churn(dir.resolve("left-alone"), false);
        assertTrue(compacted * 2 < leftAlone, "compacted " + compacted + " bytes, left alone " + leftAlone);
    }

    @Test
    void anotherDatabaseHasNothingToCompact() throws Exception {
        String url = TestGateway.onPostgres() ? Postgres.shared().newDatabase() : "jdbc:h2:mem:compaction-test";
        GatewayConfig.DatabaseConfig config = new GatewayConfig.DatabaseConfig(url, dir,
                TestGateway.onPostgres() ? Postgres.USER : "", "", 2);
        try (Database db = Database.open(config)) {
            assertEquals(-1, db.compactEmbedded(), "PostgreSQL vacuums itself; an in-memory H2 has no file");
        }
    }

    /**
     * The gateway's pattern: rows appended in many small commits (events, call records), a few
     * updated. 40 rounds of 2,000 rows in commits of 20. @return the file's size while still open
     */
    private static long churn(Path data, boolean compact) throws Exception {
        GatewayConfig.DatabaseConfig config = new GatewayConfig.DatabaseConfig("", data, "", "", 2);
        try (Database db = Database.open(config)) {
            try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
                // Dead chunks are reused at once (the default keeps them 45 s, longer than this test).
                s.execute("SET RETENTION_TIME 0");
                s.execute("CREATE TABLE churn (id BIGINT PRIMARY KEY, tag VARCHAR(40), body VARCHAR(400))");
                s.execute("CREATE INDEX churn_tag_idx ON churn (tag, id)");
            }
            String body = "x".repeat(300);
            long id = 0;
            for (int round = 0; round < 40; round++) {
                try (Connection c = db.dataSource().getConnection();
                     PreparedStatement ins = c.prepareStatement("INSERT INTO churn VALUES (?, ?, ?)");
                     PreparedStatement upd = c.prepareStatement("UPDATE churn SET body = ? WHERE id = ?")) {
                    c.setAutoCommit(false);
                    for (int i = 0; i < 2_000; i++) {
                        ins.setLong(1, ++id);
                        ins.setString(2, "cust_" + (id % 7));
                        ins.setString(3, body);
                        ins.executeUpdate();
                        if (i % 20 == 19) {
                            upd.setString(1, "y".repeat(300));
                            upd.setLong(2, id - 10);
                            upd.executeUpdate();
                            c.commit();
                        }
                    }
                    c.commit();
                }
                if (compact) {
                    assertTrue(db.compactEmbedded() >= 0, "an embedded H2 file is compacted");
                }
            }
            return Files.size(data.resolve("minivoice.mv.db"));
        }
    }
}
