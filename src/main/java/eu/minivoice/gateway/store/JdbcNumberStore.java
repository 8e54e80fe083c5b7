package eu.minivoice.gateway.store;

import eu.minivoice.gateway.domain.PageRequest;
import eu.minivoice.gateway.domain.PhoneNumber;

import javax.sql.DataSource;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static eu.minivoice.gateway.store.Jdbc.orNull;

/** {@link NumberStore} on JDBC. */
public final class JdbcNumberStore implements NumberStore {
    private static final String COLUMNS = "id, customer_id, number, application_id, trunk_id, created_at, updated_at,"
            + " verified";

    private final Jdbc jdbc;

    public JdbcNumberStore(DataSource dataSource) {
        this.jdbc = new Jdbc(dataSource, Map.of("numbers_number_uk", "number"));
    }

    @Override
    public void insert(PhoneNumber n) {
        jdbc.update("INSERT INTO numbers (" + COLUMNS + ") VALUES (?,?,?,?,?,?,?,?)", n.id(), n.customerId(),
                n.number(), orNull(n.applicationId()), orNull(n.trunkId()), n.createdAt(), n.updatedAt(), n.verified());
    }

    @Override
    public boolean update(PhoneNumber n) {
        return jdbc.update("UPDATE numbers SET number=?, application_id=?, trunk_id=?, updated_at=?, verified=?"
                        + " WHERE customer_id=? AND id=?", n.number(), orNull(n.applicationId()), orNull(n.trunkId()),
                n.updatedAt(), n.verified(), n.customerId(), n.id()) == 1;
    }

    @Override
    public boolean delete(String customerId, String numberId) {
        return jdbc.update("DELETE FROM numbers WHERE customer_id=? AND id=?", customerId, numberId) == 1;
    }

    @Override
    public Optional<PhoneNumber> find(String customerId, String numberId) {
        return jdbc.queryOne("SELECT " + COLUMNS + " FROM numbers WHERE customer_id=? AND id=?",
                JdbcNumberStore::map, customerId, numberId);
    }

    @Override
    public List<PhoneNumber> list(String customerId) {
        return jdbc.query("SELECT " + COLUMNS + " FROM numbers WHERE customer_id=? ORDER BY number",
                JdbcNumberStore::map, customerId);
    }

    @Override
    public List<PhoneNumber> listAll() {
        return jdbc.query("SELECT " + COLUMNS + " FROM numbers", JdbcNumberStore::map);
    }

    @Override
    public Optional<String> verifiedOwner(String number) {
        return jdbc.queryOne("SELECT customer_id FROM numbers WHERE number=? AND verified=TRUE", rs -> rs.getString(1),
                number);
    }

    private static PhoneNumber map(ResultSet rs) throws SQLException {
        return new PhoneNumber(rs.getString("id"), rs.getString("customer_id"), rs.getString("number"),
                rs.getString("application_id"), rs.getString("trunk_id"), Jdbc.instant(rs, "created_at"),
                Jdbc.instant(rs, "updated_at"), rs.getBoolean("verified"));
    }

    @Override
    public List<PhoneNumber> page(String customerId, PageRequest page) {
        return jdbc.page("numbers", COLUMNS, "number", customerId, page, JdbcNumberStore::map);
    }

    @Override
    public int count(String customerId) {
        return jdbc.count("numbers", customerId);
    }
}
