package eu.minivoice.gateway.store;

import eu.minivoice.gateway.domain.Customer;

import javax.sql.DataSource;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link CustomerStore} on JDBC. */
public final class JdbcCustomerStore implements CustomerStore {
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
        return jdbc.queryOne("SELECT id, name, created_at FROM customers WHERE id=?",
                rs -> new Customer(rs.getString("id"), rs.getString("name"), Jdbc.instant(rs, "created_at")),
                customerId);
    }

    @Override
    public List<Customer> list() {
        return jdbc.query("SELECT id, name, created_at FROM customers ORDER BY created_at, id",
                rs -> new Customer(rs.getString("id"), rs.getString("name"), Jdbc.instant(rs, "created_at")));
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
