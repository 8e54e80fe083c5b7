package eu.minivoice.gateway.store;

import eu.minivoice.gateway.domain.CallRecord;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link CallStore} on JDBC: insert for new calls, update for known ones (portable SQL), one transaction per batch. */
public final class JdbcCallStore implements CallStore {
    private static final String COLUMNS = "id, customer_id, direction, status, from_number, to_number, trunk_id,"
            + " application_id, platform_call_id, carrier_call_id, sip_code, hangup_side, reason, error_code, attempts,"
            + " created_at, answered_at, ended_at, node_id";

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    /** SQLSTATE of a unique/primary key violation. */
    private static final String DUPLICATE_KEY = "23505";
    private final Jdbc jdbc;
    private final String nodeId;

    /** @param nodeId this gateway's node id, stored with each new call (node.id) */
    public JdbcCallStore(DataSource dataSource, String nodeId) {
        this.jdbc = new Jdbc(dataSource, Map.of());
        this.nodeId = nodeId;
    }

    @Override
    public int endUnfinished(Instant now) {
        return endOpen(nodeId, true, eu.minivoice.gateway.domain.ErrorCode.NODE_RESTART.code(), now);
    }

    @Override
    public int endLeftOpenBy(String otherNodeId, Instant now) {
        return endOpen(otherNodeId, false, eu.minivoice.gateway.domain.ErrorCode.NODE_LOST.code(), now);
    }

    private int endOpen(String node, boolean withUnowned, String cause, Instant now) {
        int[] ended = {0};
        jdbc.inTransaction("ending the calls " + node + " left open", c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE calls SET"
                    + " status = CASE WHEN answered_at IS NULL THEN 'failed' ELSE 'completed' END,"
                    + " reason = ?, hangup_side = 'gateway',"
                    + " error_code = CASE WHEN answered_at IS NULL THEN ? ELSE error_code END,"
                    + " ended_at = ?, updated_at = ?"
                    + " WHERE (node_id = ?" + (withUnowned ? " OR node_id IS NULL)" : ")")
                    + " AND status NOT IN ('" + String.join("', '", CallRecord.FINAL_STATUSES) + "')")) {
                ps.setString(1, cause);
                ps.setString(2, cause);
                Jdbc.setInstant(ps, 3, now);
                Jdbc.setInstant(ps, 4, now);
                ps.setString(5, node);
                ended[0] = ps.executeUpdate();
            }
        });
        return ended[0];
    }

    @Override
    public List<String> store(List<CallRecord> fresh, List<CallRecord> changed) {
        List<String> foreign = new ArrayList<>();
        if (fresh.isEmpty() && changed.isEmpty()) {
            return foreign;
        }
        jdbc.inTransaction("storing " + (fresh.size() + changed.size()) + " call record(s)", c -> {
            foreign.clear(); // a retried transaction starts over
            try (PreparedStatement update = c.prepareStatement("UPDATE calls SET customer_id=?, direction=?, status=?,"
                    + " from_number=?, to_number=?, trunk_id=?, application_id=?, platform_call_id=?, carrier_call_id=?,"
                    + " sip_code=?, hangup_side=?, reason=?, error_code=?, attempts=?, created_at=?, answered_at=?,"
                    + " ended_at=?, updated_at=? WHERE id=? AND customer_id=?");
                 PreparedStatement insert = c.prepareStatement("INSERT INTO calls (customer_id, direction, status,"
                         + " from_number, to_number, trunk_id, application_id, platform_call_id, carrier_call_id, sip_code,"
                         + " hangup_side, reason, error_code, attempts, created_at, answered_at, ended_at, updated_at, id, node_id)"
                         + " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
                insert.setString(20, nodeId); // never changed by bind(): the same for every insert
                Instant now = Instant.now();
                for (CallRecord r : fresh) {
                    // A new call is almost always absent: insert first (one index probe, not two).
                    if (!inserted(insert, r, now) && !update(update, r, now)) {
                        foreign.add(r.id());
                    }
                }
                for (CallRecord r : changed) {
                    if (!update(update, r, now) && !inserted(insert, r, now)) {
                        foreign.add(r.id());
                    }
                }
            }
        });
        return foreign;
    }

    /** @return false when the id exists already (this customer's row, or another customer's) */
    private static boolean inserted(PreparedStatement insert, CallRecord r, Instant now) throws SQLException {
        bind(insert, r, now);
        try {
            insert.executeUpdate();
            return true;
        } catch (SQLException e) {
            if (!DUPLICATE_KEY.equals(e.getSQLState())) {
                throw e;
            }
            return false;
        }
    }

    private static boolean update(PreparedStatement update, CallRecord r, Instant now) throws SQLException {
        bind(update, r, now);
        update.setString(20, r.customerId());
        return update.executeUpdate() > 0;
    }

    private static void bind(PreparedStatement ps, CallRecord r, Instant now) throws SQLException {
        ps.setString(1, r.customerId());
        ps.setString(2, r.direction());
        ps.setString(3, r.status());
        ps.setString(4, r.from());
        ps.setString(5, r.to());
        ps.setString(6, r.trunkId());
        ps.setString(7, r.applicationId());
        ps.setString(8, r.platformCallId());
        ps.setString(9, r.carrierCallId());
        Jdbc.setInteger(ps, 10, r.sipCode());
        ps.setString(11, r.hangupSide());
        ps.setString(12, r.reason());
        ps.setString(13, r.errorCode());
        try {
            ps.setString(14, JSON.writeValueAsString(r.attempts()));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("attempts are plain values", e);
        }
        Jdbc.setInstant(ps, 15, r.createdAt());
        Jdbc.setInstant(ps, 16, r.answeredAt());
        Jdbc.setInstant(ps, 17, r.endedAt());
        Jdbc.setInstant(ps, 18, now);
        ps.setString(19, r.id());
    }

    @Override
    public Optional<CallRecord> find(String customerId, String callId) {
        return jdbc.queryOne("SELECT " + COLUMNS + " FROM calls WHERE customer_id=? AND id=?", JdbcCallStore::map,
                customerId, callId);
    }

    @Override
    public List<CallRecord> list(String customerId, eu.minivoice.gateway.domain.CallQuery q) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM calls WHERE customer_id=?");
        List<Object> p = new ArrayList<>();
        p.add(customerId);
        add(sql, p, " AND status=?", q.status());
        add(sql, p, " AND direction=?", q.direction());
        add(sql, p, " AND trunk_id=?", q.trunkId());
        add(sql, p, " AND from_number=?", q.from());
        add(sql, p, " AND to_number=?", q.to());
        add(sql, p, " AND created_at>=?", q.createdFrom());
        add(sql, p, " AND created_at<?", q.createdTo());
        if (q.afterId() != null) {
            // Keyset pagination on (created_at, id), newest first: stable while calls are added.
            sql.append(" AND (created_at < (SELECT a.created_at FROM calls a WHERE a.id=? AND a.customer_id=?)"
                    + " OR (created_at = (SELECT b.created_at FROM calls b WHERE b.id=? AND b.customer_id=?) AND id < ?))");
            p.addAll(List.of(q.afterId(), customerId, q.afterId(), customerId, q.afterId()));
        }
        sql.append(" ORDER BY created_at DESC, id DESC LIMIT ").append(q.limit());
        return jdbc.query(sql.toString(), JdbcCallStore::map, p.toArray());
    }

    private static void add(StringBuilder sql, List<Object> params, String clause, Object value) {
        if (value != null) {
            sql.append(clause);
            params.add(value);
        }
    }

    private static List<Map<String, Object>> attempts(String json) {
        if (json == null) {
            return List.of();
        }
        try {
            return JSON.readValue(json, new com.fasterxml.jackson.core.type.TypeReference<>() { });
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new StoreException("stored attempts are not JSON: " + e.getMessage(), e);
        }
    }

    private static CallRecord map(ResultSet rs) throws SQLException {
        return new CallRecord(rs.getString("id"), rs.getString("customer_id"), rs.getString("direction"),
                rs.getString("status"), rs.getString("from_number"), rs.getString("to_number"), rs.getString("trunk_id"),
                rs.getString("application_id"), rs.getString("platform_call_id"), rs.getString("carrier_call_id"),
                Jdbc.nullableInt(rs, "sip_code"), rs.getString("hangup_side"), rs.getString("reason"),
                rs.getString("error_code"), attempts(rs.getString("attempts")), Jdbc.instant(rs, "created_at"),
                Jdbc.instant(rs, "answered_at"), Jdbc.instant(rs, "ended_at"), rs.getString("node_id"));
    }
}
