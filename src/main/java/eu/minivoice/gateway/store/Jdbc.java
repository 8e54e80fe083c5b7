package eu.minivoice.gateway.store;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The small amount of JDBC plumbing the stores share: statements, parameters, unique violations. */
final class Jdbc {
    /** SQLSTATE of a unique-constraint violation, the same on H2 and PostgreSQL. */
    private static final String UNIQUE_VIOLATION = "23505";

    interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private final DataSource dataSource;
    /** Constraint name (lower case) → the API field it protects, for {@link DuplicateException}. */
    private final Map<String, String> uniqueFields;

    Jdbc(DataSource dataSource, Map<String, String> uniqueFields) {
        this.dataSource = dataSource;
        this.uniqueFields = uniqueFields;
    }

    int update(String sql, Object... params) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw translate(sql, e);
        }
    }

    /** Work done on one connection inside a transaction. */
    interface Work {
        void run(Connection c) throws SQLException;
    }

    /** Runs {@code work} in one transaction: committed, or rolled back and a {@link StoreException}. */
    void inTransaction(String what, Work work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                work.run(c);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            if (RejectedDataException.refusesData(e)) {
                throw new RejectedDataException(what + " refused: " + e.getMessage(), e);
            }
            throw new StoreException(what + " failed: " + e.getMessage(), e);
        }
    }

    <T> List<T> query(String sql, RowMapper<T> mapper, Object... params) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            try (ResultSet rs = ps.executeQuery()) {
                List<T> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(mapper.map(rs));
                }
                return out;
            }
        } catch (SQLException e) {
            throw translate(sql, e);
        }
    }

    <T> Optional<T> queryOne(String sql, RowMapper<T> mapper, Object... params) {
        List<T> rows = query(sql, mapper, params);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    /**
     * The keyset condition for the page after {@code cursor} in {@code ORDER BY order, id}: rows
     * whose ({@code order}, id) come after the cursor row's (looked up within {@code scope}).
     * Appends nothing for the first page. The OR form is portable (H2 and PostgreSQL).
     */
    private static void after(StringBuilder sql, List<Object> params, String table, String order, String cursor,
                              String scopeColumn, Object scopeValue) {
        if (cursor == null) {
            return;
        }
        String cursorRow = "(SELECT c." + order + " FROM " + table + " c WHERE c.id=?"
                + (scopeColumn == null ? "" : " AND c." + scopeColumn + "=?") + ")";
        sql.append(" AND (").append(order).append(" > ").append(cursorRow).append(" OR (").append(order).append(" = ")
                .append(cursorRow).append(" AND id > ?))");
        for (int i = 0; i < 2; i++) {
            params.add(cursor);
            if (scopeColumn != null) {
                params.add(scopeValue);
            }
        }
        params.add(cursor);
    }

    /**
     * One keyset page of {@code table} in {@code ORDER BY order, id}: the customer's rows, or every
     * row when {@code customerId} is null.
     */
    <T> List<T> page(String table, String columns, String order, String customerId,
                     eu.minivoice.gateway.domain.PageRequest page, RowMapper<T> mapper) {
        StringBuilder sql = new StringBuilder("SELECT " + columns + " FROM " + table
                + (customerId == null ? " WHERE 1=1" : " WHERE customer_id=?"));
        List<Object> params = new ArrayList<>();
        if (customerId != null) {
            params.add(customerId);
        }
        after(sql, params, table, order, page.cursor(), customerId == null ? null : "customer_id", customerId);
        sql.append(" ORDER BY ").append(order).append(", id LIMIT ").append(page.limit());
        return query(sql.toString(), mapper, params.toArray());
    }

    /** How many rows of {@code table} the customer has. */
    int count(String table, String customerId) {
        return queryOne("SELECT COUNT(*) FROM " + table + " WHERE customer_id=?", rs -> rs.getInt(1), customerId)
                .orElse(0);
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    static Integer nullableInt(ResultSet rs, String column) throws SQLException {
        int v = rs.getInt(column);
        return rs.wasNull() ? null : v;
    }

    static Boolean nullableBoolean(ResultSet rs, String column) throws SQLException {
        boolean v = rs.getBoolean(column);
        return rs.wasNull() ? null : v;
    }

    private static void bind(PreparedStatement ps, Object[] params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            Object p = params[i];
            if (p instanceof Instant t) {
                ps.setObject(i + 1, t.atOffset(ZoneOffset.UTC));
            } else if (p instanceof NullOf n) {
                ps.setNull(i + 1, n.sqlType());
            } else {
                ps.setObject(i + 1, p);
            }
        }
    }

    /** A nullable timestamp parameter (UTC). */
    static void setInstant(PreparedStatement ps, int i, Instant t) throws SQLException {
        if (t == null) {
            ps.setNull(i, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            // Not t.atOffset(UTC): that asks the offset for its rules, a new ZoneRules per call (JDK 17).
            ps.setObject(i, java.time.OffsetDateTime.of(java.time.LocalDateTime.ofEpochSecond(t.getEpochSecond(),
                    t.getNano(), ZoneOffset.UTC), ZoneOffset.UTC));
        }
    }

    /** A nullable integer parameter. */
    static void setInteger(PreparedStatement ps, int i, Integer v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.INTEGER);
        } else {
            ps.setInt(i, v);
        }
    }

    /** A typed SQL NULL, since setObject(null) is not portable across drivers. */
    record NullOf(int sqlType) {
        static final NullOf VARCHAR = new NullOf(Types.VARCHAR);
        static final NullOf INTEGER = new NullOf(Types.INTEGER);
        static final NullOf BOOLEAN = new NullOf(Types.BOOLEAN);
    }

    static Object orNull(String v) {
        return v == null ? NullOf.VARCHAR : v;
    }

    static Object orNull(Integer v) {
        return v == null ? NullOf.INTEGER : v;
    }

    static Object orNull(Boolean v) {
        return v == null ? NullOf.BOOLEAN : v;
    }

    private StoreException translate(String sql, SQLException e) {
        if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
            String message = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
            for (Map.Entry<String, String> entry : uniqueFields.entrySet()) {
                if (message.contains(entry.getKey())) {
                    return new DuplicateException(entry.getValue(), e);
                }
            }
            return new DuplicateException("id", e);
        }
        String verb = sql.strip().split("\\s+")[0];
        return new StoreException("database " + verb + " failed: " + e.getMessage(), e);
    }
}
