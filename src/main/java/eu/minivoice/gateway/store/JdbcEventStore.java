package eu.minivoice.gateway.store;

import eu.minivoice.gateway.domain.StoredEvent;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/** {@link EventStore} on JDBC; inserts a batch in one transaction. */
public final class JdbcEventStore implements EventStore {
    private final DataSource dataSource;
    private final Jdbc jdbc;

    public JdbcEventStore(DataSource dataSource) {
        this.dataSource = dataSource;
        this.jdbc = new Jdbc(dataSource, Map.of());
    }

    @Override
    public void insert(List<StoredEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO events (id, customer_id, event_type, subject_id,"
                     + " created_at, payload) VALUES (?,?,?,?,?,?)")) {
            c.setAutoCommit(false);
            try {
                for (StoredEvent e : events) {
                    ps.setString(1, e.id());
                    ps.setString(2, e.customerId());
                    ps.setString(3, e.type());
                    ps.setString(4, e.subjectId());
                    ps.setObject(5, e.createdAt().atOffset(ZoneOffset.UTC));
                    ps.setString(6, e.payload());
                    ps.addBatch();
                }
                ps.executeBatch();
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException("storing " + events.size() + " event(s) failed: " + e.getMessage(), e);
        }
    }

    @Override
    public List<StoredEvent> list(String customerId, String type, int limit) {
        String sql = "SELECT id, customer_id, event_type, subject_id, created_at, payload FROM events WHERE customer_id=?"
                + (type == null ? "" : " AND event_type=?") + " ORDER BY seq DESC LIMIT " + limit;
        Jdbc.RowMapper<StoredEvent> map = rs -> new StoredEvent(rs.getString("id"), rs.getString("customer_id"),
                rs.getString("event_type"), rs.getString("subject_id"), Jdbc.instant(rs, "created_at"),
                rs.getString("payload"));
        return type == null ? jdbc.query(sql, map, customerId) : jdbc.query(sql, map, customerId, type);
    }
}
