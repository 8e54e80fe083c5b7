package eu.minivoice.gateway.config;

import eu.minivoice.gateway.domain.IpRange;
import eu.minivoice.gateway.domain.ProxyAddress;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Cross-field and format checks that the per-key types of ConfigLoader cannot express. */
final class ConfigValidator {
    private static final Set<String> SIP_TRANSPORTS = Set.of("udp", "tcp");

    private ConfigValidator() {
    }

    static void validate(GatewayConfig c) throws ConfigException {
        literal("admin.bind", c.admin().bind());
        literal("sip.bind", c.sip().bind());
        if (!c.sip().internalBind().isEmpty()) {
            literal("sip.internal_bind", c.sip().internalBind());
        }
        GatewayConfig.Ipv6Config v6 = c.sip().v6();
        for (String[] kv : new String[][] {{"sip.bind_v6", v6.bind()}, {"sip.internal_bind_v6", v6.internalBind()},
                {"sip.public_address_v6", v6.publicAddress()}}) {
            if (!kv[1].isEmpty() && !kv[1].contains(":")) {
                throw new ConfigException(kv[0] + " must be a numeric IPv6 address, got '" + kv[1] + "'");
            }
            if (!kv[1].isEmpty()) {
                literal(kv[0], kv[1]);
            }
        }
        if (!v6.enabled() && !v6.internalBind().isEmpty()) {
            throw new ConfigException("sip.internal_bind_v6 needs sip.bind_v6");
        }
        if (v6.enabled() && v6.bind().equals("::") && v6.publicAddress().isEmpty()) {
            throw new ConfigException("sip.bind_v6 \"::\" needs sip.public_address_v6 (the address Via and Contact name)");
        }
        if (c.sip().bind().equals("0.0.0.0") && c.sip().publicAddress().isEmpty()) {
            // Via and Contact would name 0.0.0.0: no peer could answer or reach us again.
            throw new ConfigException("sip.bind \"0.0.0.0\" needs sip.public_address (the address Via and Contact name)");
        }
        if (!c.sip().publicAddress().isEmpty()) {
            try {
                ProxyAddress.validateHost(c.sip().publicAddress());
            } catch (IllegalArgumentException e) {
                throw new ConfigException("sip.public_address: " + e.getMessage());
            }
        }
        if (c.sip().externalPort() == c.sip().internalPort()) {
            throw new ConfigException("sip.external_port and sip.internal_port must differ (both "
                    + c.sip().externalPort() + ")");
        }
        GatewayConfig.TlsConfig tls = c.sip().tls();
        if (tls.enabled()) {
            if (tls.port() == c.sip().externalPort() || tls.port() == c.sip().internalPort()) {
                throw new ConfigException("sip.tls_port must differ from sip.external_port and sip.internal_port");
            }
            if (tls.keystore().isEmpty() || !java.nio.file.Files.isReadable(java.nio.file.Path.of(tls.keystore()))) {
                throw new ConfigException("sip.tls_keystore must name a readable PKCS12 key store when sip.tls_port is set"
                        + (tls.keystore().isEmpty() ? "" : " (cannot read " + tls.keystore() + ")"));
            }
            if (!tls.truststore().isEmpty() && !java.nio.file.Files.isReadable(java.nio.file.Path.of(tls.truststore()))) {
                throw new ConfigException("sip.tls_truststore: cannot read " + tls.truststore());
            }
        }
        try {
            c.sip().dns().serverAddresses();
        } catch (IllegalArgumentException e) {
            throw new ConfigException("sip.dns_servers: " + e.getMessage());
        }
        List<String> transports = c.sip().transports();
        if (transports.isEmpty()) {
            throw new ConfigException("sip.transports must name at least one of udp, tcp");
        }
        if (new HashSet<>(transports).size() != transports.size()) {
            throw new ConfigException("sip.transports lists a transport twice: " + transports);
        }
        for (String t : transports) {
            if (!SIP_TRANSPORTS.contains(t)) {
                throw new ConfigException("sip.transports: '" + t + "' is not supported (use udp, tcp)");
            }
        }
        for (String cidr : c.sip().trustedCidrs()) {
            try {
                IpRange.parse(cidr);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("sip.trusted_cidrs: " + e.getMessage());
            }
        }
        for (String cidr : c.security().allowedPrivateCidrs()) {
            try {
                IpRange.parse(cidr);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("security.allowed_private_cidrs: " + e.getMessage());
            }
        }
        if (!c.security().secretKey().isEmpty()) {
            byte[] key;
            try {
                key = java.util.Base64.getDecoder().decode(c.security().secretKey());
            } catch (IllegalArgumentException e) {
                key = new byte[0];
            }
            if (key.length != 32) {
                // Never echo the value: it is a key.
                throw new ConfigException("security.secret_key (MINIVOICE_SECRET_KEY) must be base64 of 32 random"
                        + " bytes, e.g. `openssl rand -base64 32`");
            }
        }
        if (!c.customers().defaultCustomerId().matches("cust_[A-Za-z0-9_]{1,64}")) {
            throw new ConfigException("customers.default_customer_id must look like cust_<letters, digits, _>, got '"
                    + c.customers().defaultCustomerId() + "'");
        }
        String key = c.customers().defaultApiKey();
        if (!key.isEmpty() && (key.length() < 16 || !key.matches("[\\x21-\\x7e]+"))) {
            // Do not echo the key: it is a secret even when it is a bad one.
            throw new ConfigException("customers.default_api_key (MINIVOICE_API_KEY) must be at least 16 printable"
                    + " characters without spaces");
        }
        String op = c.admin().operatorApiKey();
        if (!op.isEmpty() && (op.length() < 16 || !op.matches("[\\x21-\\x7e]+"))) {
            throw new ConfigException("admin.operator_api_key must be at least 16 printable characters without spaces");
        }
        if (c.registration().backoffMinSeconds() > c.registration().backoffMaxSeconds()) {
            throw new ConfigException("registration.backoff_min_seconds must not exceed registration.backoff_max_seconds");
        }
        String node = c.node().id();
        if (!node.isEmpty() && (node.length() > 100 || !node.matches("[\\x21-\\x7e]+"))) {
            throw new ConfigException("node.id must be at most 100 printable characters without spaces");
        }
        if (c.node().leaseSeconds() * 1000L < 3L * c.node().heartbeatMs()) {
            throw new ConfigException("node.lease_seconds must cover at least three heartbeats (node.heartbeat_ms)");
        }
        String url = c.database().url();
        if (!url.isEmpty() && !url.startsWith("jdbc:h2:") && !url.startsWith("jdbc:postgresql:")) {
            throw new ConfigException("database.url: a jdbc:postgresql:// URL (or jdbc:h2:); leave it empty for the"
                    + " embedded database");
        }
        if (c.database().embedded() && c.database().dataDir().toString().isBlank()) {
            throw new ConfigException("database.data_dir must not be empty");
        }
    }

    private static void literal(String key, String value) throws ConfigException {
        try {
            IpRange.parseLiteral(value);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key + " must be a numeric IPv4 or IPv6 address, got '" + value + "'");
        }
    }
}
