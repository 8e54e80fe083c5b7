package eu.minivoice.gateway.store;

import eu.minivoice.gateway.domain.PageRequest;
import eu.minivoice.gateway.domain.ApiKeyInfo;
import eu.minivoice.gateway.domain.Customer;
import eu.minivoice.gateway.domain.Quotas;

import javax.sql.DataSource;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link CustomerStore} on JDBC. */
public final class JdbcCustomerStore implements CustomerStore {
    private static final String COLUMNS = "id, name, created_at, events_url, events_secret, max_trunks,"
            + " max_applications, max_numbers, max_concurrent_calls, max_cps";

    private final Jdbc jdbc;
    private final SecretBox secrets;

    public JdbcCustomerStore(DataSource dataSource, SecretBox secrets) {
        this.jdbc = new Jdbc(dataSource, Map.of());
        this.secrets = secrets;
    }

    @Override
    public void insert(Customer c) {
        jdbc.update("INSERT INTO customers (id, name, created_at) VALUES (?,?,?)", c.id(), c.name(), c.createdAt());
    }

    @Override
    public Optional<Customer> find(String customerId) {
        return jdbc.queryOne("SELECT " + COLUMNS + " FROM customers WHERE id=?", this::map, customerId);
    }

    @Override
    public List<Customer> list() {
        return jdbc.query("SELECT " + COLUMNS + " FROM customers ORDER BY created_at, id", this::map);
    }

    @Override
    public boolean updateQuotas(String customerId, Quotas q) {
        return jdbc.update("UPDATE customers SET max_trunks=?, max_applications=?, max_numbers=?,"
                        + " max_concurrent_calls=?, max_cps=? WHERE id=?", Jdbc.orNull(q.trunks()),
                Jdbc.orNull(q.applications()), Jdbc.orNull(q.numbers()), Jdbc.orNull(q.concurrentCalls()),
                Jdbc.orNull(q.callsPerSecond()), customerId) == 1;
    }

    @Override
    public boolean updateEvents(String customerId, String eventsUrl, String eventsSecret) {
        return jdbc.update("UPDATE customers SET events_url=?, events_secret=? WHERE id=?", Jdbc.orNull(eventsUrl),
                Jdbc.orNull(secrets.seal(eventsSecret, place(customerId))), customerId) == 1;
    }

    private Customer map(java.sql.ResultSet rs) throws java.sql.SQLException {
        String id = rs.getString("id");
        return new Customer(id, rs.getString("name"), Jdbc.instant(rs, "created_at"),
                rs.getString("events_url"), secrets.open(rs.getString("events_secret"), place(id)),
                new Quotas(Jdbc.nullableInt(rs, "max_trunks"), Jdbc.nullableInt(rs, "max_applications"),
                        Jdbc.nullableInt(rs, "max_numbers"), Jdbc.nullableInt(rs, "max_concurrent_calls"),
                        Jdbc.nullableInt(rs, "max_cps")));
    }

    private static String place(String customerId) {
        return SecretSealer.place("customers", "events_secret", customerId);
    }

    @Override
    public void addApiKey(String keyId, String customerId, String keyHash, String keyHint, String origin,
                          Instant createdAt) {
        jdbc.update("INSERT INTO api_keys (id, key_hash, customer_id, key_hint, origin, created_at) VALUES (?,?,?,?,?,?)",
                keyId, keyHash, customerId, keyHint, origin, createdAt);
    }

    @Override
    public List<ApiKeyInfo> apiKeys(String customerId) {
        return jdbc.query("SELECT id, customer_id, key_hint, origin, created_at FROM api_keys WHERE customer_id=?"
                        + " ORDER BY created_at, id", rs -> new ApiKeyInfo(rs.getString("id"), rs.getString("customer_id"),
                        rs.getString("key_hint"), rs.getString("origin"), Jdbc.instant(rs, "created_at")), customerId);
    }

    @Override
    public boolean deleteApiKey(String customerId, String keyId) {
        return jdbc.update("DELETE FROM api_keys WHERE customer_id=? AND id=?", customerId, keyId) == 1;
    }

    @Override
    public int deleteApiKeysOfOrigin(String customerId, String origin, String keepHash) {
        return jdbc.update("DELETE FROM api_keys WHERE customer_id=? AND origin=? AND key_hash<>?", customerId, origin,
                keepHash);
    }

    @Override
    public Optional<String> customerIdForKeyHash(String keyHash) {
        return jdbc.queryOne("SELECT customer_id FROM api_keys WHERE key_hash=?", rs -> rs.getString(1), keyHash);
    }

    @Override
    public List<Customer> page(PageRequest page) {
        return jdbc.page("customers", COLUMNS, "created_at", null, page, this::map);
    }
}
