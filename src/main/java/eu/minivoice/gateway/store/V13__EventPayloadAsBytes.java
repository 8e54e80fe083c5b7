package eu.minivoice.gateway.store;

import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * Schema version 13: an event's JSON envelope is stored as its UTF-8 bytes ({@code events.body},
 * BYTEA) instead of text ({@code events.payload}). Why: H2 encodes a text value character by
 * character every time it writes the page that holds it, and the newest events' page is written
 * again at each group commit — that encoding was the largest single cost of a relayed call
 * (docs/PERFORMANCE.md, "Event bodies as bytes"). Bytes are copied as they are.
 *
 * <p>A Java migration (named as Flyway requires) because the text-to-bytes conversion has no SQL
 * spelling common to H2 and PostgreSQL; rows are copied in batches of {@value #BATCH}.
 */
public final class V13__EventPayloadAsBytes extends BaseJavaMigration {
    static final int BATCH = 1_000;

    @Override
    public void migrate(Context context) throws Exception {
        Connection c = context.getConnection();
        try (Statement s = c.createStatement()) {
            s.execute("ALTER TABLE events ADD COLUMN body BYTEA");
        }
        long after = Long.MIN_VALUE;
        while (true) {
            int copied = 0;
            try (PreparedStatement read = c.prepareStatement(
                    "SELECT seq, payload FROM events WHERE seq > ? ORDER BY seq LIMIT " + BATCH);
                 PreparedStatement write = c.prepareStatement("UPDATE events SET body = ? WHERE seq = ?")) {
                read.setLong(1, after);
                try (ResultSet rs = read.executeQuery()) {
                    while (rs.next()) {
                        after = rs.getLong(1);
                        write.setBytes(1, rs.getString(2).getBytes(StandardCharsets.UTF_8));
                        write.setLong(2, after);
                        write.addBatch();
                        copied++;
                    }
                }
                if (copied > 0) {
                    write.executeBatch();
                }
            }
            if (copied < BATCH) {
                break;
            }
        }
        try (Statement s = c.createStatement()) {
            s.execute("ALTER TABLE events ALTER COLUMN body SET NOT NULL");
            s.execute("ALTER TABLE events DROP COLUMN payload");
        }
    }
}
