package eu.minivoice.gateway.store;

import eu.minivoice.gateway.domain.Customer;

import javax.sql.DataSource;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link CustomerStore} on JDBC. */
public final class JdbcCustomerStore implements CustomerStore {
    private static final String COLUMNS = "id, name, created_at, events_url, events_secret";

    private final Jdbc jdbc;

    public JdbcCustomerStore(DataSource dataSource) {
        this.jdbc = new Jdbc(dataSource, Map.of());
    }

    @Override
    public void insert(Customer c) {
        jdbc.update("INSERT INTO customers (id, name, created_at) VALUES (?,?,?)", c.id(), c.name(), c.createdAt());
    }

    @Override
    public Optional<Customer> find(String customerId) {
        return jdbc.queryOne("SELECT " + COLUMNS + " FROM customers WHERE id=?", JdbcCustomerStore::map, customerId);
    }

    @Override
    public List<Customer> list() {
        return jdbc.query("SELECT " + COLUMNS + " FROM customers ORDER BY created_at, id", JdbcCustomerStore::map);
    }

    @Override
    public boolean updateEvents(String customerId, String eventsUrl, String eventsSecret) {
        return jdbc.update("UPDATE customers SET events_url=?, events_secret=? WHERE id=?", Jdbc.orNull(eventsUrl),
                Jdbc.orNull(eventsSecret), customerId) == 1;
    }

    private static Customer map(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Customer(rs.getString("id"), rs.getString("name"), Jdbc.instant(rs, "created_at"),
                rs.getString("events_url"), rs.getString("events_secret"));
    }

    @Override
    public void addApiKey(String customerId, String keyHash, String keyHint, Instant createdAt) {
        jdbc.update("INSERT INTO api_keys (key_hash, customer_id, key_hint, created_at) VALUES (?,?,?,?)",
                keyHash, customerId, keyHint, createdAt);
    }

    @Override
    public Optional<String> customerIdForKeyHash(String keyHash) {
        return jdbc.queryOne("SELECT customer_id FROM api_keys WHERE key_hash=?", rs -> rs.getString(1), keyHash);
    }
}
