package eu.minivoice.gateway.store;

import eu.minivoice.gateway.domain.PageRequest;
import eu.minivoice.gateway.domain.InboundClaims;
import eu.minivoice.gateway.domain.Trunk;
import eu.minivoice.gateway.domain.TrunkDirection;
import eu.minivoice.gateway.domain.TrunkSpec;

import javax.sql.DataSource;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static eu.minivoice.gateway.store.Jdbc.orNull;

/** {@link TrunkStore} on JDBC (embedded H2 by default). */
public final class JdbcTrunkStore implements TrunkStore {
    private static final String COLUMNS = "id, customer_id, name, gateway_name, proxy, username, password, realm,"
            + " from_domain, inbound_ip, is_active, direction, priority, register_enabled, register_expires,"
            + " ping_interval, application_id, max_concurrent_calls, max_cps, failover_codes, inbound_claims, tls_verify_hostname, created_at, updated_at";

    private final Jdbc jdbc;
    private final SecretBox secrets;

    public JdbcTrunkStore(DataSource dataSource, SecretBox secrets) {
        this.jdbc = new Jdbc(dataSource,
                Map.of("trunks_gateway_name_uk", "gateway_name", "trunks_name_uk", "name"));
        this.secrets = secrets;
    }

    private static String place(String trunkId) {
        return SecretSealer.place("trunks", "password", trunkId);
    }

    @Override
    public void insert(Trunk t) {
        TrunkSpec s = t.spec();
        jdbc.update("INSERT INTO trunks (" + COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                t.id(), t.customerId(), s.name(), s.gatewayName(), s.proxy(), orNull(s.username()),
                orNull(secrets.seal(s.password(), place(t.id()))), orNull(s.realm()), orNull(s.fromDomain()), orNull(s.inboundIp()),
                s.active(), s.direction().token(), s.priority(), orNull(s.register()), s.registerExpires(),
                s.pingInterval(), orNull(s.applicationId()), orNull(s.maxConcurrentCalls()), orNull(s.maxCps()),
                orNull(s.failoverCodes()), t.inboundClaims().format(), s.tlsVerifyHostname(), t.createdAt(),
                t.updatedAt());
    }

    @Override
    public boolean update(Trunk t) {
        TrunkSpec s = t.spec();
        return jdbc.update("UPDATE trunks SET name=?, gateway_name=?, proxy=?, username=?, password=?, realm=?,"
                        + " from_domain=?, inbound_ip=?, is_active=?, direction=?, priority=?, register_enabled=?,"
                        + " register_expires=?, ping_interval=?, application_id=?, max_concurrent_calls=?, max_cps=?,"
                        + " failover_codes=?, inbound_claims=?, tls_verify_hostname=?, updated_at=? WHERE customer_id=? AND id=?",
                s.name(), s.gatewayName(), s.proxy(), orNull(s.username()),
                orNull(secrets.seal(s.password(), place(t.id()))),
                orNull(s.realm()), orNull(s.fromDomain()), orNull(s.inboundIp()), s.active(),
                s.direction().token(), s.priority(), orNull(s.register()), s.registerExpires(), s.pingInterval(),
                orNull(s.applicationId()), orNull(s.maxConcurrentCalls()), orNull(s.maxCps()),
                orNull(s.failoverCodes()), t.inboundClaims().format(), s.tlsVerifyHostname(), t.updatedAt(), t.customerId(),
                t.id()) == 1;
    }

    @Override
    public boolean delete(String customerId, String trunkId) {
        return jdbc.update("DELETE FROM trunks WHERE customer_id=? AND id=?", customerId, trunkId) == 1;
    }

    @Override
    public Optional<Trunk> find(String customerId, String trunkId) {
        return jdbc.queryOne("SELECT " + COLUMNS + " FROM trunks WHERE customer_id=? AND id=?",
                this::map, customerId, trunkId);
    }

    @Override
    public List<Trunk> list(String customerId) {
        return jdbc.query("SELECT " + COLUMNS + " FROM trunks WHERE customer_id=? ORDER BY created_at, id",
                this::map, customerId);
    }

    @Override
    public List<Trunk> listAll() {
        return jdbc.query("SELECT " + COLUMNS + " FROM trunks ORDER BY customer_id, created_at, id",
                this::map);
    }

    private Trunk map(ResultSet rs) throws SQLException {
        TrunkSpec spec = new TrunkSpec(
                rs.getString("name"), rs.getString("proxy"), rs.getString("username"),
                secrets.open(rs.getString("password"), place(rs.getString("id"))),
                rs.getString("realm"), rs.getString("from_domain"), rs.getString("inbound_ip"),
                rs.getBoolean("is_active"), rs.getString("gateway_name"),
                TrunkDirection.fromToken(rs.getString("direction")), rs.getInt("priority"),
                Jdbc.nullableBoolean(rs, "register_enabled"), rs.getInt("register_expires"),
                rs.getInt("ping_interval"), rs.getString("application_id"),
                Jdbc.nullableInt(rs, "max_concurrent_calls"), Jdbc.nullableInt(rs, "max_cps"),
                rs.getString("failover_codes"), rs.getBoolean("tls_verify_hostname"));
        Instant created = Jdbc.instant(rs, "created_at");
        return new Trunk(rs.getString("id"), rs.getString("customer_id"), spec, created, Jdbc.instant(rs, "updated_at"),
                InboundClaims.parse(rs.getString("inbound_claims"), spec.inboundIp(), created));
    }

    @Override
    public List<Trunk> page(String customerId, PageRequest page) {
        return jdbc.page("trunks", COLUMNS, "created_at", customerId, page, this::map);
    }

    @Override
    public int count(String customerId) {
        return jdbc.count("trunks", customerId);
    }
}
