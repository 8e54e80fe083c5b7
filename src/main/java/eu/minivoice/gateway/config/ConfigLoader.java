package eu.minivoice.gateway.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads config/gateway.yml and applies MINIVOICE_* environment overrides.
 *
 * <p>Every key the gateway knows is declared once in {@link #KEYS} with its type, default and
 * range, so the file, the environment and the documentation cannot drift apart: an unknown key in
 * the file is an error (a typo must not silently fall back to a default), and every key has the
 * generic environment name MINIVOICE_&lt;PATH&gt; plus, for the run contract, a short alias.
 */
public final class ConfigLoader {

    enum Type { STRING, INT, BOOL, LIST }

    record Key(String path, Type type, Object defaultValue, long min, long max, String alias) {
        String envName() {
            return "MINIVOICE_" + path.replace('.', '_').toUpperCase(Locale.ROOT);
        }
    }

    private static Key str(String path, String def) {
        return new Key(path, Type.STRING, def, 0, 0, null);
    }

    private static Key str(String path, String def, String alias) {
        return new Key(path, Type.STRING, def, 0, 0, alias);
    }

    private static Key num(String path, int def, long min, long max) {
        return new Key(path, Type.INT, def, min, max, null);
    }

    static final List<Key> KEYS = List.of(
            str("admin.bind", "127.0.0.1"),
            num("admin.port", 8080, 1, 65535),
            num("admin.max_body_bytes", 65536, 1024, 16 * 1024 * 1024),
            num("admin.worker_threads", 4, 1, 256),
            num("admin.max_queued_requests", 1000, 1, 1_000_000),
            str("admin.operator_api_key", ""),
            num("admin.auth_max_failures", 10, 1, 100_000),
            num("admin.auth_failure_window_seconds", 60, 1, 86_400),
            str("customers.default_customer_id", "cust_default"),
            str("customers.default_api_key", "", "MINIVOICE_API_KEY"),
            str("sip.bind", "127.0.0.1"),
            str("sip.internal_bind", ""),
            str("sip.bind_v6", "::1"),
            str("sip.internal_bind_v6", ""),
            str("sip.public_address_v6", ""),
            str("sip.public_address", ""),
            num("sip.external_port", 5060, 1, 65535),
            num("sip.internal_port", 5080, 1, 65535),
            new Key("sip.transports", Type.LIST, List.of("udp", "tcp"), 0, 0, null),
            new Key("sip.trusted_cidrs", Type.LIST, List.of("127.0.0.0/8", "::1/128"), 0, 0,
                    "MINIVOICE_TRUSTED_CIDRS"),
            new Key("sip.trace", Type.BOOL, false, 0, 0, null),
            num("sip.threads", 8, 1, 256),
            num("sip.overload_delay_ms", 0, 0, 60_000),
            num("sip.max_message_bytes", 16384, 4096, 4 * 1024 * 1024),
            num("sip.connect_timeout_ms", 2000, 100, 60_000),
            new Key("sip.dns_servers", Type.LIST, List.of(), 0, 0, null),
            num("sip.dns_timeout_ms", 2000, 100, 30_000),
            num("sip.connect_threads", 4, 1, 256),
            num("sip.connects_per_customer", 2, 1, 256),
            num("sip.tcp_max_connections", 20_000, 1, 1_000_000),
            num("sip.tcp_max_connections_per_address", 256, 1, 1_000_000),
            num("sip.tcp_idle_timeout_s", 300, 1, 86_400),
            num("sip.tcp_message_read_timeout_s", 20, 1, 3_600),
            new Key("sip.tls_port", Type.INT, 0, 0, 65535, null),
            str("sip.tls_keystore", ""),
            str("sip.tls_keystore_password", ""),
            str("sip.tls_truststore", ""),
            str("sip.tls_truststore_password", ""),
            str("node.id", ""),
            num("node.heartbeat_ms", 1000, 100, 60_000),
            num("node.lease_seconds", 10, 1, 600),
            num("node.reconcile_seconds", 30, 1, 3600),
            str("database.url", ""),
            str("database.data_dir", "./data", "MINIVOICE_DATA_DIR"),
            str("database.user", ""),
            str("database.password", ""),
            num("database.pool_size", 8, 1, 256),
            num("trunks.default_register_expires", 3600, 60, 86400),
            num("trunks.default_priority", 100, 0, 1000),
            num("registration.answer_timeout_seconds", 32, 1, 300),
            num("registration.backoff_min_seconds", 5, 1, 3600),
            num("registration.backoff_max_seconds", 300, 1, 86400),
            num("registration.failed_retry_seconds", 600, 10, 86400),
            num("registration.startup_spread_seconds", 20, 0, 3600),
            num("registration.timeline_size", 20, 1, 1000),
            num("registration.shutdown_unregister_seconds", 3, 0, 60),
            num("registration.ping_timeout_seconds", 5, 1, 60),
            num("registration.ping_down_after", 3, 1, 100),
            num("registration.ping_up_after", 2, 1, 100),
            num("registration.connection_check_seconds", 5, 1, 3600),
            num("webhooks.timeout_ms", 5000, 100, 60_000),
            num("webhooks.connect_timeout_ms", 2000, 100, 60_000),
            num("webhooks.action_timeout_ms", 3000, 100, 30_000),
            num("webhooks.backoff_min_ms", 1000, 10, 3_600_000),
            num("webhooks.backoff_max_seconds", 600, 1, 86_400),
            num("webhooks.max_age_seconds", 86_400, 1, 7 * 86_400),
            num("webhooks.max_in_flight_per_endpoint", 8, 1, 256),
            num("webhooks.max_pending_per_endpoint", 10_000, 10, 10_000_000),
            num("webhooks.max_pending_total", 100_000, 100, 10_000_000),
            num("webhooks.max_response_bytes", 65_536, 1024, 16 * 1024 * 1024),
            num("webhooks.queue_capacity", 100_000, 100, 10_000_000),
            num("webhooks.max_action_fetches", 500, 1, 100_000),
            num("webhooks.http_threads", 2, 1, 64),
            num("relay.invite_timeout_ms", 4000, 200, 32_000),
            num("relay.max_call_seconds", 14_400, 10, 86_400),
            num("shutdown.drain_seconds", 30, 0, 3600),
            num("retention.days", 30, 0, 3650),
            num("quotas.trunks", 100, 0, 1_000_000),
            num("quotas.applications", 100, 0, 1_000_000),
            num("quotas.numbers", 1000, 0, 10_000_000),
            num("quotas.concurrent_calls", 500, 0, 1_000_000),
            num("quotas.calls_per_second", 50, 0, 100_000),
            new Key("security.allowed_private_cidrs", Type.LIST, List.of(), 0, 0, null),
            num("security.min_inbound_prefix_v4", 16, 1, 32),
            num("security.min_inbound_prefix_v6", 32, 1, 128),
            str("security.secret_key", "", "MINIVOICE_SECRET_KEY"),
            str("security.secret_key_file", ""));

    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory());

    /** Loads {@code file} with overrides from {@code env} (pass System.getenv() in production). */
    public GatewayConfig load(Path file, Map<String, String> env) throws ConfigException {
        Map<String, JsonNode> fromFile = readFile(file);
        Map<String, Object> values = new LinkedHashMap<>();
        for (Key key : KEYS) {
            values.put(key.path(), resolve(key, fromFile.get(key.path()), env, file));
        }
        return build(values);
    }

    private Map<String, JsonNode> readFile(Path file) throws ConfigException {
        JsonNode root;
        try {
            root = yaml.readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new ConfigException("config file " + file + " does not exist");
        } catch (JacksonException e) {
            throw new ConfigException("config file " + file + " is not valid YAML: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"));
        } catch (IOException e) {
            throw new ConfigException("config file " + file + " cannot be read: " + e.getMessage(), e);
        }
        Map<String, JsonNode> flat = new LinkedHashMap<>();
        if (root == null || root.isMissingNode() || root.isNull()) {
            return flat; // an empty file means "all defaults"
        }
        if (!root.isObject()) {
            throw new ConfigException("config file " + file + " must be a YAML mapping of sections");
        }
        flatten("", root, flat, file);
        for (String path : flat.keySet()) {
            if (KEYS.stream().noneMatch(k -> k.path().equals(path))) {
                throw new ConfigException("unknown key '" + path + "' in " + file + " (see config/gateway.yml)");
            }
        }
        return flat;
    }

    private void flatten(String prefix, JsonNode node, Map<String, JsonNode> out, Path file) throws ConfigException {
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            String path = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            boolean isSection = KEYS.stream().anyMatch(k -> k.path().startsWith(path + "."));
            if (isSection) {
                if (!e.getValue().isObject()) {
                    throw new ConfigException("'" + path + "' in " + file + " must be a section (a mapping)");
                }
                flatten(path, e.getValue(), out, file);
            } else {
                out.put(path, e.getValue());
            }
        }
    }

    private Object resolve(Key key, JsonNode fileValue, Map<String, String> env, Path file) throws ConfigException {
        String envName = key.alias() != null && env.containsKey(key.alias()) ? key.alias() : key.envName();
        String envValue = env.get(envName);
        if (envValue != null) {
            return fromText(key, envValue.trim(), "environment variable " + envName);
        }
        if (fileValue == null || fileValue.isNull()) {
            return key.defaultValue();
        }
        String where = "'" + key.path() + "' in " + file;
        return switch (key.type()) {
            case STRING -> {
                if (!fileValue.isValueNode()) {
                    throw new ConfigException(where + " must be a text value");
                }
                yield fileValue.asText().trim();
            }
            case INT -> {
                if (!fileValue.isIntegralNumber()) {
                    throw new ConfigException(where + " must be a whole number, got '" + fileValue.asText() + "'");
                }
                yield checkRange(key, fileValue.asLong(), where);
            }
            case BOOL -> {
                if (!fileValue.isBoolean()) {
                    throw new ConfigException(where + " must be true or false, got '" + fileValue.asText() + "'");
                }
                yield fileValue.asBoolean();
            }
            case LIST -> {
                List<String> items = new ArrayList<>();
                if (fileValue.isArray()) {
                    for (JsonNode item : fileValue) {
                        if (!item.isValueNode() || item.isNull()) {
                            throw new ConfigException(where + " must be a list of text values");
                        }
                        items.add(item.asText().trim());
                    }
                } else if (fileValue.isTextual()) {
                    items.addAll(splitList(fileValue.asText()));
                } else {
                    throw new ConfigException(where + " must be a list");
                }
                yield List.copyOf(items);
            }
        };
    }

    private Object fromText(Key key, String text, String where) throws ConfigException {
        return switch (key.type()) {
            case STRING -> text;
            case INT -> {
                try {
                    yield checkRange(key, Long.parseLong(text), where);
                } catch (NumberFormatException e) {
                    throw new ConfigException(where + " must be a whole number, got '" + text + "'");
                }
            }
            case BOOL -> {
                if (text.equalsIgnoreCase("true") || text.equals("1")) {
                    yield true;
                }
                if (text.equalsIgnoreCase("false") || text.equals("0")) {
                    yield false;
                }
                throw new ConfigException(where + " must be true or false, got '" + text + "'");
            }
            case LIST -> splitList(text);
        };
    }

    private static List<String> splitList(String text) {
        List<String> items = new ArrayList<>();
        for (String part : text.split(",")) {
            if (!part.isBlank()) {
                items.add(part.trim());
            }
        }
        return List.copyOf(items);
    }

    private static int checkRange(Key key, long value, String where) throws ConfigException {
        if (value < key.min() || value > key.max()) {
            throw new ConfigException(where + " must be between " + key.min() + " and " + key.max() + ", got " + value);
        }
        return (int) value;
    }

    @SuppressWarnings("unchecked")
    private static GatewayConfig build(Map<String, Object> v) throws ConfigException {
        var admin = new GatewayConfig.AdminConfig(
                (String) v.get("admin.bind"), (int) v.get("admin.port"), (int) v.get("admin.max_body_bytes"),
                (int) v.get("admin.worker_threads"), (int) v.get("admin.max_queued_requests"),
                (String) v.get("admin.operator_api_key"), (int) v.get("admin.auth_max_failures"),
                (int) v.get("admin.auth_failure_window_seconds"));
        var customers = new GatewayConfig.CustomersConfig(
                (String) v.get("customers.default_customer_id"), (String) v.get("customers.default_api_key"));
        var sip = new GatewayConfig.SipConfig(
                (String) v.get("sip.bind"), (String) v.get("sip.public_address"),
                (int) v.get("sip.external_port"), (int) v.get("sip.internal_port"),
                lower((List<String>) v.get("sip.transports")), (List<String>) v.get("sip.trusted_cidrs"),
                (boolean) v.get("sip.trace"), (int) v.get("sip.threads"), (int) v.get("sip.max_message_bytes"),
                new GatewayConfig.TlsConfig((int) v.get("sip.tls_port"), (String) v.get("sip.tls_keystore"),
                        (String) v.get("sip.tls_keystore_password"), (String) v.get("sip.tls_truststore"),
                        (String) v.get("sip.tls_truststore_password")), (int) v.get("sip.connect_timeout_ms"),
                (String) v.get("sip.internal_bind"), (int) v.get("sip.connect_threads"),
                (int) v.get("sip.connects_per_customer"),
                new GatewayConfig.TcpConfig((int) v.get("sip.tcp_max_connections"),
                        (int) v.get("sip.tcp_max_connections_per_address"), (int) v.get("sip.tcp_idle_timeout_s"),
                        (int) v.get("sip.tcp_message_read_timeout_s")),
                new GatewayConfig.DnsConfig((List<String>) v.get("sip.dns_servers"), (int) v.get("sip.dns_timeout_ms")),
                new GatewayConfig.Ipv6Config((String) v.get("sip.bind_v6"), (String) v.get("sip.internal_bind_v6"),
                        (String) v.get("sip.public_address_v6")), (int) v.get("sip.overload_delay_ms"));
        var database = new GatewayConfig.DatabaseConfig(
                (String) v.get("database.url"), Path.of((String) v.get("database.data_dir")),
                (String) v.get("database.user"), (String) v.get("database.password"),
                (int) v.get("database.pool_size"));
        var trunks = new GatewayConfig.TrunkDefaults(
                (int) v.get("trunks.default_register_expires"), (int) v.get("trunks.default_priority"));
        var registration = new GatewayConfig.RegistrationConfig(
                (int) v.get("registration.answer_timeout_seconds"), (int) v.get("registration.backoff_min_seconds"),
                (int) v.get("registration.backoff_max_seconds"), (int) v.get("registration.failed_retry_seconds"),
                (int) v.get("registration.startup_spread_seconds"), (int) v.get("registration.timeline_size"),
                (int) v.get("registration.shutdown_unregister_seconds"), (int) v.get("registration.ping_timeout_seconds"),
                (int) v.get("registration.ping_down_after"), (int) v.get("registration.ping_up_after"),
                (int) v.get("registration.connection_check_seconds"));
        var webhooks = new GatewayConfig.WebhookConfig((int) v.get("webhooks.timeout_ms"),
                (int) v.get("webhooks.connect_timeout_ms"), (int) v.get("webhooks.action_timeout_ms"),
                (int) v.get("webhooks.backoff_min_ms"), (int) v.get("webhooks.backoff_max_seconds"),
                (int) v.get("webhooks.max_age_seconds"), (int) v.get("webhooks.max_in_flight_per_endpoint"),
                (int) v.get("webhooks.max_pending_per_endpoint"), (int) v.get("webhooks.max_pending_total"),
                (int) v.get("webhooks.max_response_bytes"), (int) v.get("webhooks.queue_capacity"),
                (int) v.get("webhooks.max_action_fetches"), (int) v.get("webhooks.http_threads"));
        var relay = new GatewayConfig.RelayConfig((int) v.get("relay.invite_timeout_ms"),
                (int) v.get("relay.max_call_seconds"));
        var quotas = new eu.minivoice.gateway.domain.Quotas((int) v.get("quotas.trunks"),
                (int) v.get("quotas.applications"), (int) v.get("quotas.numbers"),
                (int) v.get("quotas.concurrent_calls"), (int) v.get("quotas.calls_per_second"));
        var security = new GatewayConfig.SecurityConfig((List<String>) v.get("security.allowed_private_cidrs"),
                (int) v.get("security.min_inbound_prefix_v4"), (int) v.get("security.min_inbound_prefix_v6"),
                (String) v.get("security.secret_key"), (String) v.get("security.secret_key_file"));
        GatewayConfig config = new GatewayConfig(admin, customers, sip, database, trunks, registration, webhooks, relay,
                security, quotas, new GatewayConfig.NodeConfig((String) v.get("node.id"),
                (int) v.get("node.heartbeat_ms"), (int) v.get("node.lease_seconds"),
                (int) v.get("node.reconcile_seconds")),
                new GatewayConfig.ShutdownConfig((int) v.get("shutdown.drain_seconds")),
                new GatewayConfig.RetentionConfig((int) v.get("retention.days")));
        ConfigValidator.validate(config);
        return config;
    }

    private static List<String> lower(List<String> items) {
        return items.stream().map(s -> s.toLowerCase(Locale.ROOT)).toList();
    }
}
