package eu.minivoice.gateway.store;

import eu.minivoice.gateway.domain.PageRequest;
import eu.minivoice.gateway.domain.Application;

import javax.sql.DataSource;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static eu.minivoice.gateway.store.Jdbc.orNull;

/** {@link ApplicationStore} on JDBC. */
public final class JdbcApplicationStore implements ApplicationStore {
    private static final String COLUMNS = "id, customer_id, name, webhook_url, status_callback_url, fallback_action,"
            + " webhook_secret, created_at, updated_at";

    private final Jdbc jdbc;
    private final SecretBox secrets;

    public JdbcApplicationStore(DataSource dataSource, SecretBox secrets) {
        this.jdbc = new Jdbc(dataSource, Map.of("applications_name_uk", "name"));
        this.secrets = secrets;
    }

    @Override
    public void insert(Application a) {
        jdbc.update("INSERT INTO applications (" + COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?)", a.id(), a.customerId(),
                a.name(), a.webhookUrl(), orNull(a.statusCallbackUrl()), orNull(a.fallbackAction()),
                secrets.seal(a.webhookSecret(), place(a.id())), a.createdAt(), a.updatedAt());
    }

    @Override
    public boolean update(Application a) {
        return jdbc.update("UPDATE applications SET name=?, webhook_url=?, status_callback_url=?, fallback_action=?,"
                        + " webhook_secret=?, updated_at=? WHERE customer_id=? AND id=?", a.name(), a.webhookUrl(),
                orNull(a.statusCallbackUrl()), orNull(a.fallbackAction()), secrets.seal(a.webhookSecret(), place(a.id())),
                a.updatedAt(),
                a.customerId(), a.id()) == 1;
    }

    @Override
    public boolean delete(String customerId, String applicationId) {
        return jdbc.update("DELETE FROM applications WHERE customer_id=? AND id=?", customerId, applicationId) == 1;
    }

    @Override
    public Optional<Application> find(String customerId, String applicationId) {
        return jdbc.queryOne("SELECT " + COLUMNS + " FROM applications WHERE customer_id=? AND id=?",
                this::map, customerId, applicationId);
    }

    @Override
    public List<Application> list(String customerId) {
        return jdbc.query("SELECT " + COLUMNS + " FROM applications WHERE customer_id=? ORDER BY created_at, id",
                this::map, customerId);
    }

    @Override
    public List<Application> listAll() {
        return jdbc.query("SELECT " + COLUMNS + " FROM applications", this::map);
    }

    private Application map(ResultSet rs) throws SQLException {
        String id = rs.getString("id");
        return new Application(id, rs.getString("customer_id"), rs.getString("name"),
                rs.getString("webhook_url"), rs.getString("status_callback_url"), rs.getString("fallback_action"),
                secrets.open(rs.getString("webhook_secret"), place(id)), Jdbc.instant(rs, "created_at"),
                Jdbc.instant(rs, "updated_at"));
    }

    private static String place(String applicationId) {
        return SecretSealer.place("applications", "webhook_secret", applicationId);
    }

    @Override
    public List<Application> page(String customerId, PageRequest page) {
        return jdbc.page("applications", COLUMNS, "created_at", customerId, page, this::map);
    }

    @Override
    public int count(String customerId) {
        return jdbc.count("applications", customerId);
    }
}
