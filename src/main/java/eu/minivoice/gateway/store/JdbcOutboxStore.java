package eu.minivoice.gateway.store;

import eu.minivoice.gateway.domain.Delivery;
import eu.minivoice.gateway.domain.DeliveryStatus;
import eu.minivoice.gateway.domain.OutboxItem;
import eu.minivoice.gateway.domain.StoredEvent;
import eu.minivoice.gateway.domain.TargetKind;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link OutboxStore} on JDBC: batched inserts and updates, each batch one transaction. */
public final class JdbcOutboxStore implements OutboxStore {
    private static final String EVENT_COLUMNS = "e.id, e.customer_id, e.event_type, e.subject_id, e.application_id,"
            + " e.created_at, e.body";
    private static final String DELIVERY_COLUMNS = "d.seq, d.id, d.event_id, d.customer_id, d.target_kind,"
            + " d.target_id, d.url, d.endpoint, d.order_key, d.status, d.attempts, d.last_status_code, d.last_error,"
            + " d.next_attempt_at, d.window_start, d.created_at, d.updated_at, d.delivered_at";

    private final Jdbc jdbc;
    private final String nodeId;

    /** @param nodeId the node whose deliveries this store writes, pages in and updates */
    public JdbcOutboxStore(DataSource dataSource, String nodeId) {
        this.jdbc = new Jdbc(dataSource, Map.of());
        this.nodeId = nodeId;
    }

    @Override
    public long takeSeqBlock(int size) {
        long[] first = {0};
        jdbc.inTransaction("taking delivery seq values", c -> {
            // The UPDATE locks the row until commit: a node taking a block at the same time waits for it.
            try (PreparedStatement up = c.prepareStatement(
                    "UPDATE id_blocks SET next_value = next_value + ? WHERE name = 'delivery_seq'")) {
                up.setLong(1, size);
                up.executeUpdate();
            }
            try (PreparedStatement q = c.prepareStatement("SELECT next_value FROM id_blocks WHERE name = 'delivery_seq'");
                 ResultSet rs = q.executeQuery()) {
                rs.next();
                first[0] = rs.getLong(1) - size;
            }
        });
        return first[0];
    }

    @Override
    public List<OutboxItem> adopt(Adoption from, String node, java.util.function.LongSupplier nextSeq, int limit) {
        String owner = switch (from) {
            case UNOWNED -> "d.node_id IS NULL";
            case NODE -> "d.node_id = ?";
            case ALL_OTHERS -> "(d.node_id IS NULL OR d.node_id <> ?)";
        };
        List<OutboxItem> taken = new ArrayList<>();
        jdbc.inTransaction("taking over pending deliveries", c -> {
            taken.clear(); // a retried transaction starts over
            List<OutboxItem> rows = new ArrayList<>();
            try (PreparedStatement q = c.prepareStatement("SELECT " + DELIVERY_COLUMNS + " FROM deliveries d"
                    + " WHERE d.status = 'pending' AND " + owner + " ORDER BY d.seq LIMIT " + limit
                    + " FOR UPDATE SKIP LOCKED")) {
                if (from != Adoption.UNOWNED) {
                    q.setString(1, from == Adoption.NODE ? node : nodeId);
                }
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        rows.add(new OutboxItem(delivery(rs), null, null));
                    }
                }
            }
            if (rows.isEmpty()) {
                return;
            }
            Map<String, String[]> bodies = new java.util.HashMap<>();
            String marks = String.join(",", java.util.Collections.nCopies(rows.size(), "?"));
            try (PreparedStatement q = c.prepareStatement(
                    "SELECT id, event_type, body FROM events WHERE id IN (" + marks + ")")) {
                for (int i = 0; i < rows.size(); i++) {
                    q.setString(i + 1, rows.get(i).delivery().eventId());
                }
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        bodies.put(rs.getString(1), new String[] {rs.getString(2), text(rs.getBytes(3))});
                    }
                }
            }
            try (PreparedStatement up = c.prepareStatement("UPDATE deliveries SET seq = ?, node_id = ? WHERE seq = ?")) {
                for (OutboxItem row : rows) {
                    Delivery d = row.delivery();
                    String[] body = bodies.get(d.eventId());
                    long seq = nextSeq.getAsLong();
                    up.setLong(1, seq);
                    up.setString(2, nodeId);
                    up.setLong(3, d.seq());
                    up.addBatch();
                    taken.add(new OutboxItem(d.withSeq(seq), body[0], body[1]));
                }
                up.executeBatch();
            }
        });
        return taken;
    }

    @Override
    public void write(List<StoredEvent> events, List<Delivery> deliveries, List<Delivery> updates) {
        if (events.isEmpty() && deliveries.isEmpty() && updates.isEmpty()) {
            return;
        }
        jdbc.inTransaction("storing " + events.size() + " event(s), " + deliveries.size() + " new and "
                + updates.size() + " updated deliveries", c -> {
            if (!events.isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO events (id, customer_id, event_type,"
                        + " subject_id, application_id, created_at, body) VALUES (?,?,?,?,?,?,?)")) {
                    for (StoredEvent e : events) {
                        ps.setString(1, e.id());
                        ps.setString(2, e.customerId());
                        ps.setString(3, e.type());
                        ps.setString(4, e.subjectId());
                        ps.setString(5, e.applicationId());
                        ps.setObject(6, e.createdAt().atOffset(ZoneOffset.UTC));
                        ps.setBytes(7, e.payload().getBytes(StandardCharsets.UTF_8)); // bytes: docs/storage.md
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            }
            if (!deliveries.isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO deliveries (seq, id, event_id, customer_id,"
                        + " target_kind, target_id, url, endpoint, order_key, status, attempts, last_status_code,"
                        + " last_error, next_attempt_at, window_start, created_at, updated_at, delivered_at, node_id)"
                        + " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
                    for (Delivery d : deliveries) {
                        ps.setLong(1, d.seq());
                        ps.setString(2, d.id());
                        ps.setString(3, d.eventId());
                        ps.setString(4, d.customerId());
                        ps.setString(5, d.kind().token());
                        ps.setString(6, d.targetId());
                        ps.setString(7, d.url());
                        ps.setString(8, d.endpoint());
                        ps.setString(9, d.orderKey());
                        ps.setString(10, d.status().token());
                        ps.setInt(11, d.attempts());
                        Jdbc.setInteger(ps, 12, d.lastStatusCode());
                        ps.setString(13, d.lastError());
                        Jdbc.setInstant(ps, 14, d.nextAttemptAt());
                        Jdbc.setInstant(ps, 15, d.windowStart());
                        Jdbc.setInstant(ps, 16, d.createdAt());
                        Jdbc.setInstant(ps, 17, d.updatedAt());
                        Jdbc.setInstant(ps, 18, d.deliveredAt());
                        ps.setString(19, nodeId);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            }
            if (updates.isEmpty()) {
                return;
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE deliveries SET status=?, attempts=?,"
                    + " last_status_code=?, last_error=?, next_attempt_at=?, updated_at=?, delivered_at=?"
                    + " WHERE seq=? AND node_id=?")) {
                for (Delivery d : updates) {
                    ps.setString(1, d.status().token());
                    ps.setInt(2, d.attempts());
                    Jdbc.setInteger(ps, 3, d.lastStatusCode());
                    ps.setString(4, d.lastError());
                    Jdbc.setInstant(ps, 5, d.nextAttemptAt());
                    Jdbc.setInstant(ps, 6, d.updatedAt());
                    Jdbc.setInstant(ps, 7, d.deliveredAt());
                    ps.setLong(8, d.seq());
                    ps.setString(9, nodeId);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        });
    }

    @Override
    public List<String> pendingEndpoints() {
        return jdbc.query("SELECT DISTINCT endpoint FROM deliveries WHERE status='pending' AND node_id=?",
                rs -> rs.getString(1), nodeId);
    }

    @Override
    public List<OutboxItem> pending(String endpoint, long afterSeq, int limit) {
        return jdbc.query("SELECT " + DELIVERY_COLUMNS + ", e.event_type, e.body FROM deliveries d"
                        + " JOIN events e ON e.id = d.event_id"
                        + " WHERE d.status='pending' AND d.endpoint=? AND d.seq>? AND d.node_id=? ORDER BY d.seq LIMIT "
                        + limit,
                rs -> new OutboxItem(delivery(rs), rs.getString("event_type"), text(rs.getBytes("body"))),
                endpoint, afterSeq, nodeId);
    }

    @Override
    public List<StoredEvent> events(String customerId, String type, DeliveryStatus status, String beforeId, int limit) {
        StringBuilder sql = new StringBuilder("SELECT " + EVENT_COLUMNS + " FROM events e WHERE e.customer_id=?");
        List<Object> params = new ArrayList<>();
        params.add(customerId);
        if (type != null) {
            sql.append(" AND e.event_type=?");
            params.add(type);
        }
        if (status != null) {
            sql.append(" AND EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id=e.id AND d.status=?)");
            params.add(status.token());
        }
        if (beforeId != null) {
            sql.append(" AND e.seq < (SELECT b.seq FROM events b WHERE b.id=? AND b.customer_id=?)");
            params.add(beforeId);
            params.add(customerId);
        }
        sql.append(" ORDER BY e.seq DESC LIMIT ").append(limit);
        return jdbc.query(sql.toString(), JdbcOutboxStore::event, params.toArray());
    }

    @Override
    public Optional<StoredEvent> event(String customerId, String eventId) {
        return jdbc.queryOne("SELECT " + EVENT_COLUMNS + " FROM events e WHERE e.customer_id=? AND e.id=?",
                JdbcOutboxStore::event, customerId, eventId);
    }

    @Override
    public Map<String, List<Delivery>> deliveries(List<String> eventIds) {
        Map<String, List<Delivery>> out = new LinkedHashMap<>();
        if (eventIds.isEmpty()) {
            return out;
        }
        String marks = String.join(",", java.util.Collections.nCopies(eventIds.size(), "?"));
        for (Delivery d : jdbc.query("SELECT " + DELIVERY_COLUMNS + " FROM deliveries d WHERE d.event_id IN ("
                + marks + ") ORDER BY d.seq", JdbcOutboxStore::delivery, eventIds.toArray())) {
            out.computeIfAbsent(d.eventId(), k -> new ArrayList<>()).add(d);
        }
        return out;
    }

    private static StoredEvent event(ResultSet rs) throws SQLException {
        return new StoredEvent(rs.getString("id"), rs.getString("customer_id"), rs.getString("event_type"),
                rs.getString("subject_id"), rs.getString("application_id"), Jdbc.instant(rs, "created_at"),
                text(rs.getBytes("body")));
    }

    private static Delivery delivery(ResultSet rs) throws SQLException {
        return new Delivery(rs.getLong("seq"), rs.getString("id"), rs.getString("event_id"),
                rs.getString("customer_id"), TargetKind.of(rs.getString("target_kind")), rs.getString("target_id"),
                rs.getString("url"), rs.getString("endpoint"), rs.getString("order_key"),
                DeliveryStatus.of(rs.getString("status")), rs.getInt("attempts"),
                Jdbc.nullableInt(rs, "last_status_code"), rs.getString("last_error"),
                Jdbc.instant(rs, "next_attempt_at"), Jdbc.instant(rs, "window_start"), Jdbc.instant(rs, "created_at"),
                Jdbc.instant(rs, "updated_at"), Jdbc.instant(rs, "delivered_at"));
    }

    /** An event body as stored (UTF-8 bytes, schema version 13) back to its JSON text. */
    private static String text(byte[] body) {
        return new String(body, StandardCharsets.UTF_8);
    }
}
