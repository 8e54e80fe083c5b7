package eu.minivoice.gateway.store;

import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

import java.sql.Connection;
import java.sql.Statement;

/**
 * Schema version 15: on the embedded H2 only, {@code events.seq} takes its values from a cache of
 * {@value #CACHE} instead of H2's default 32.
 *
 * <p>Why: H2 makes an identity value durable by committing the whole store each time its cache
 * runs out, on top of the writer's own commit. With 32, a relay of 1,000 calls/s (4,000 events/s)
 * cost 125 extra store commits a second — 41 % of the outbox writer's CPU in a profile
 * (docs/PERFORMANCE.md, "One store commit per group commit"). A larger cache only means a gap of
 * unused values after a restart; seq orders events, nothing needs it dense.
 *
 * <p>Not on PostgreSQL: there a cache is per connection, so nodes would take values in blocks
 * and a customer's events would no longer list in the order they were accepted across nodes;
 * PostgreSQL's nextval needs no separate commit anyway.
 */
public final class V15__EmbeddedEventSeqCache extends BaseJavaMigration {
    static final long CACHE = 100_000;

    @Override
    public void migrate(Context context) throws Exception {
        Connection c = context.getConnection();
        if (!c.getMetaData().getDatabaseProductName().startsWith("H2")) {
            return;
        }
        try (Statement s = c.createStatement()) {
            s.execute("ALTER TABLE events ALTER COLUMN seq SET CACHE " + CACHE);
        }
    }
}
