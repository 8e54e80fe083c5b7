package eu.minivoice.gateway.store;

import eu.minivoice.gateway.domain.RegistrationSnapshot;
import eu.minivoice.gateway.domain.RegistrationView;
import eu.minivoice.gateway.domain.RegistrationStatus;
import eu.minivoice.gateway.domain.TrunkHealth;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@link ClusterStore} on PostgreSQL (scale-out needs a database several nodes share; the
 * embedded H2 never runs this): now() as the one clock, INSERT … ON CONFLICT for leases and
 * states, pg_notify for changes.
 */
public final class JdbcClusterStore implements ClusterStore {
    private static final String PLUS_MILLIS = " + (? * INTERVAL '1 millisecond')";
    private static final String MINUS_MILLIS = " - (? * INTERVAL '1 millisecond')";

    private final Jdbc jdbc;

    public JdbcClusterStore(DataSource dataSource) {
        this.jdbc = new Jdbc(dataSource, Map.of());
    }

    @Override
    public Instant heartbeat(String nodeId, String usage) {
        jdbc.update("INSERT INTO nodes (id, started_at, seen_at, usage) VALUES (?, now(), now(), ?)"
                + " ON CONFLICT (id) DO UPDATE SET seen_at = now(), lost_at = NULL, usage = EXCLUDED.usage",
                nodeId, usage);
        return jdbc.queryOne("SELECT now() AS db_now", rs -> Jdbc.instant(rs, "db_now")).orElseThrow();
    }

    @Override
    public List<NodeRow> nodes() {
        return jdbc.query("SELECT id, started_at, seen_at, lost_at, usage FROM nodes ORDER BY id",
                rs -> new NodeRow(rs.getString("id"), Jdbc.instant(rs, "started_at"), Jdbc.instant(rs, "seen_at"),
                        Jdbc.instant(rs, "lost_at"), rs.getString("usage")));
    }

    @Override
    public boolean markLost(String nodeId, Duration silence) {
        return jdbc.update("UPDATE nodes SET lost_at = now() WHERE id = ? AND lost_at IS NULL AND seen_at < now()"
                + MINUS_MILLIS, nodeId, silence.toMillis()) == 1;
    }

    @Override
    public Set<String> keepLeases(String nodeId, Collection<String> release, Collection<String> claim, Duration ttl) {
        Set<String> held = new HashSet<>();
        jdbc.inTransaction("keeping the trunk leases of " + nodeId, c -> {
            held.clear();
            if (!release.isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement(
                        "DELETE FROM trunk_leases WHERE trunk_id = ? AND node_id = ?")) {
                    for (String id : release) {
                        ps.setString(1, id);
                        ps.setString(2, nodeId);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE trunk_leases SET expires_at = now()" + PLUS_MILLIS + " WHERE node_id = ?")) {
                ps.setLong(1, ttl.toMillis());
                ps.setString(2, nodeId);
                ps.executeUpdate();
            }
            if (!claim.isEmpty()) {
                // Taken only when free or expired: a live owner's lease is never taken away.
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO trunk_leases (trunk_id, node_id, expires_at)"
                        + " VALUES (?, ?, now()" + PLUS_MILLIS + ") ON CONFLICT (trunk_id) DO UPDATE"
                        + " SET node_id = EXCLUDED.node_id, expires_at = EXCLUDED.expires_at"
                        + " WHERE trunk_leases.expires_at < now()")) {
                    for (String id : claim) {
                        ps.setString(1, id);
                        ps.setString(2, nodeId);
                        ps.setLong(3, ttl.toMillis());
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT trunk_id FROM trunk_leases WHERE node_id = ?")) {
                ps.setString(1, nodeId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        held.add(rs.getString(1));
                    }
                }
            }
        });
        return held;
    }

    @Override
    public void leave(String nodeId, Duration silence) {
        jdbc.inTransaction("leaving the cluster", c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM trunk_leases WHERE node_id = ?")) {
                ps.setString(1, nodeId);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE nodes SET seen_at = now()" + MINUS_MILLIS + " WHERE id = ?")) {
                ps.setLong(1, silence.toMillis() + 1_000);
                ps.setString(2, nodeId);
                ps.executeUpdate();
            }
        });
    }

    @Override
    public void writeStates(String nodeId, Collection<TrunkStateRow> rows) {
        if (rows.isEmpty()) {
            return;
        }
        jdbc.inTransaction("writing " + rows.size() + " trunk state(s)", c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO trunk_states (trunk_id, node_id,"
                    + " registration_status, last_code, last_reason, expires_at, last_registered_at, next_attempt_at,"
                    + " health, timeline, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?, now()) ON CONFLICT (trunk_id)"
                    + " DO UPDATE SET node_id = EXCLUDED.node_id, registration_status = EXCLUDED.registration_status,"
                    + " last_code = EXCLUDED.last_code, last_reason = EXCLUDED.last_reason,"
                    + " expires_at = EXCLUDED.expires_at, last_registered_at = EXCLUDED.last_registered_at,"
                    + " next_attempt_at = EXCLUDED.next_attempt_at, health = EXCLUDED.health,"
                    + " timeline = EXCLUDED.timeline, updated_at = EXCLUDED.updated_at")) {
                for (TrunkStateRow row : rows) {
                    RegistrationSnapshot r = row.registration();
                    ps.setString(1, row.trunkId());
                    ps.setString(2, nodeId);
                    ps.setString(3, r == null ? null : r.status().name());
                    Jdbc.setInteger(ps, 4, r == null ? null : r.lastCode());
                    ps.setString(5, r == null || r.lastReason() == null ? null
                            : r.lastReason().substring(0, Math.min(500, r.lastReason().length())));
                    Jdbc.setInstant(ps, 6, r == null ? null : r.expiresAt());
                    Jdbc.setInstant(ps, 7, r == null ? null : r.lastRegisteredAt());
                    Jdbc.setInstant(ps, 8, r == null ? null : r.nextAttemptAt());
                    ps.setString(9, row.health() == null ? null : row.health().name());
                    ps.setString(10, row.timeline() == null ? null : TimelineJson.write(row.timeline()));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        });
    }

    @Override
    public List<TrunkStateRow> statesSince(Instant since) {
        return jdbc.query("SELECT trunk_id, node_id, registration_status, last_code, last_reason, expires_at,"
                + " last_registered_at, next_attempt_at, health, updated_at FROM trunk_states WHERE updated_at >= ?",
                JdbcClusterStore::state, since);
    }

    private static TrunkStateRow state(ResultSet rs) throws SQLException {
        String status = rs.getString("registration_status");
        RegistrationSnapshot r = status == null ? null : new RegistrationSnapshot(RegistrationStatus.valueOf(status),
                Jdbc.nullableInt(rs, "last_code"), rs.getString("last_reason"), Jdbc.instant(rs, "expires_at"),
                Jdbc.instant(rs, "last_registered_at"), Jdbc.instant(rs, "next_attempt_at"));
        String health = rs.getString("health");
        return new TrunkStateRow(rs.getString("trunk_id"), rs.getString("node_id"), r,
                health == null ? null : TrunkHealth.valueOf(health), Jdbc.instant(rs, "updated_at"), null);
    }

    @Override
    public List<RegistrationView.RegisterTransaction> timeline(String trunkId) {
        return jdbc.queryOne("SELECT COALESCE(timeline, '[]') FROM trunk_states WHERE trunk_id = ?",
                rs -> rs.getString(1), trunkId).map(TimelineJson::read).orElse(List.of());
    }

    @Override
    public void announce(String channel, String payload) {
        jdbc.query("SELECT pg_notify(?, ?)", rs -> rs.getString(1), channel, payload);
    }
}
