package eu.minivoice.gateway.store;

import eu.minivoice.gateway.domain.CallRecord;

import javax.sql.DataSource;
import java.time.Instant;
import java.util.Map;

/**
 * Deletes history older than the retention (docs/storage.md, "Retention"): webhook deliveries that
 * are done, events left without deliveries, ended call records. Pending deliveries and calls not
 * ended are never deleted. Works in batches so no statement holds locks for long; every node of a
 * cluster may run it (the deletes are the same whoever runs them).
 */
public final class Retention {
    /** How many rows of each kind were deleted. */
    public record Purged(int deliveries, int events, int calls) {
        public int total() {
            return deliveries + events + calls;
        }
    }

    private final Jdbc jdbc;
    private final int batch;

    public Retention(DataSource dataSource, int batch) {
        this.jdbc = new Jdbc(dataSource, Map.of());
        this.batch = batch;
    }

    public Purged purgeBefore(Instant cutoff) {
        int deliveries = inBatches("DELETE FROM deliveries WHERE seq IN (SELECT seq FROM deliveries"
                + " WHERE status <> 'pending' AND created_at < ? LIMIT " + batch + ")", cutoff);
        int events = inBatches("DELETE FROM events WHERE seq IN (SELECT e.seq FROM events e WHERE e.created_at < ?"
                + " AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id) LIMIT " + batch + ")", cutoff);
        int calls = inBatches("DELETE FROM calls WHERE id IN (SELECT id FROM calls WHERE ended_at < ? AND status IN ('"
                + String.join("', '", CallRecord.FINAL_STATUSES) + "') LIMIT " + batch + ")", cutoff);
        return new Purged(deliveries, events, calls);
    }

    private int inBatches(String sql, Instant cutoff) {
        int total = 0;
        int n;
        do {
            n = jdbc.update(sql, cutoff);
            total += n;
        } while (n >= batch);
        return total;
    }
}
