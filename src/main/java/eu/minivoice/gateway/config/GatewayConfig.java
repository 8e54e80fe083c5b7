package eu.minivoice.gateway.config;

import java.nio.file.Path;
import java.util.List;

/**
 * The whole configuration, immutable and validated by {@link ConfigLoader}. Field names follow
 * config/gateway.yml (snake_case there, camelCase here).
 */
public record GatewayConfig(
        AdminConfig admin,
        CustomersConfig customers,
        SipConfig sip,
        DatabaseConfig database,
        TrunkDefaults trunks,
        RegistrationConfig registration,
        WebhookConfig webhooks,
        RelayConfig relay,
        SecurityConfig security,
        eu.minivoice.gateway.domain.Quotas quotas,
        NodeConfig node,
        ShutdownConfig shutdown,
        RetentionConfig retention) {

    /**
     * SIGTERM drains (docs/operations.md): new INVITEs get 503 at once, live calls may go on for
     * {@code drainSeconds}, then both legs get a BYE. 0: stop at once, dropping live calls.
     */
    public record ShutdownConfig(int drainSeconds) {
    }

    /** How long history is kept (docs/storage.md, "Retention"); 0 = for ever. */
    public record RetentionConfig(int days) {
    }

    /**
     * This gateway among several on one database: {@code id} names it in what it stores (its calls'
     * records); empty = the host name and the external SIP port (docs/storage.md).
     */
    public record NodeConfig(String id, int heartbeatMs, int leaseSeconds, int reconcileSeconds) {
    }

    public record AdminConfig(String bind, int port, int maxBodyBytes, int workerThreads,
                              int maxQueuedRequests, String operatorApiKey, int authMaxFailures,
                              int authFailureWindowSeconds) {
        /** Never print the operator key. */
        @Override
        public String toString() {
            return "AdminConfig[bind=" + bind + ", port=" + port + ", maxBodyBytes=" + maxBodyBytes
                    + ", workerThreads=" + workerThreads + ", maxQueuedRequests=" + maxQueuedRequests
                    + ", operatorApiKey=" + (operatorApiKey.isEmpty() ? "unset" : "***") + ", authMaxFailures="
                    + authMaxFailures + ", authFailureWindowSeconds=" + authFailureWindowSeconds + "]";
        }
    }

    public record CustomersConfig(String defaultCustomerId, String defaultApiKey) {
        @Override
        public String toString() {
            return "CustomersConfig[defaultCustomerId=" + defaultCustomerId + ", defaultApiKey="
                    + (defaultApiKey.isEmpty() ? "unset" : "***") + "]";
        }
    }

    public record SipConfig(String bind, String publicAddress, int externalPort, int internalPort,
                            List<String> transports, List<String> trustedCidrs, boolean trace,
                            int threads, int maxMessageBytes, TlsConfig tls, int connectTimeoutMs,
                            String internalBind, int connectThreads, int connectsPerCustomer, TcpConfig tcp,
                            DnsConfig dns, Ipv6Config v6, int overloadDelayMs) {
        public SipConfig {
            transports = List.copyOf(transports);
            trustedCidrs = List.copyOf(trustedCidrs);
        }

        /** The address put into Via/Contact: the public address behind NAT, else the bind address. */
        public String advertisedAddress() {
            return publicAddress.isEmpty() ? bind : publicAddress;
        }

        /** Where the internal (platform) side listens: {@code sip.internal_bind}, else {@code sip.bind}. */
        public String internalBindAddress() {
            return internalBind.isEmpty() ? bind : internalBind;
        }

        /**
         * The address of the given side in Via/Contact. The platform side is reached at its own
         * bind address; when that is a wildcard, at the advertised one.
         */
        public String advertisedAddress(boolean internal) {
            String b = internalBindAddress();
            return internal && !internalBind.isEmpty() && !b.equals("0.0.0.0") && !b.equals("::") ? b
                    : advertisedAddress();
        }
    }

    /**
     * IPv6 listening points beside the IPv4 ones (same ports and transports, both sides).
     *
     * @param bind          numeric IPv6 address ("::" for all); empty: no IPv6
     * @param internalBind  the platform side's own IPv6 address; empty: {@code bind}
     * @param publicAddress written into Via/Contact instead of the bind address; empty: the bind address
     */
    public record Ipv6Config(String bind, String internalBind, String publicAddress) {
        /** The shipped default: a host without IPv6 starts without it (with a warning) instead of failing. */
        public static final String DEFAULT_BIND = "::1";

        public boolean enabled() {
            return !bind.isEmpty();
        }

        public String internalBindAddress() {
            return internalBind.isEmpty() ? bind : internalBind;
        }

        /** The IPv6 address of a side in Via/Contact (as the IPv4 one: a wildcard bind advertises the public one). */
        public String advertisedAddress(boolean internal) {
            String b = internal ? internalBindAddress() : bind;
            if (internal && !internalBind.isEmpty() && !b.equals("::")) {
                return b;
            }
            return publicAddress.isEmpty() ? bind : publicAddress;
        }
    }

    /**
     * Locating carrier proxies given as names (RFC 3263: NAPTR → SRV → A/AAAA).
     *
     * @param servers   DNS servers ({@code address} or {@code address:port}, {@code [v6]:port}); empty: the
     *                  system's (/etc/resolv.conf)
     * @param timeoutMs how long one DNS query may take before the next server (or failure)
     */
    public record DnsConfig(List<String> servers, int timeoutMs) {
        /** {@code [v6]:port}, {@code v4:port}, {@code v4}, or a bare IPv6 literal. */
        private static final java.util.regex.Pattern SERVER = java.util.regex.Pattern.compile(
                "\\[([0-9a-fA-F:.]+)\\](?::(\\d{1,5}))?|([0-9.]+)(?::(\\d{1,5}))?|([0-9a-fA-F:]+)");

        public DnsConfig {
            servers = List.copyOf(servers);
        }

        /** The servers as socket addresses (port 53 unless given); @throws IllegalArgumentException naming a bad one */
        public List<java.net.InetSocketAddress> serverAddresses() {
            List<java.net.InetSocketAddress> out = new java.util.ArrayList<>();
            for (String s : servers) {
                java.util.regex.Matcher m = SERVER.matcher(s.strip());
                if (!m.matches()) {
                    throw new IllegalArgumentException("'" + s + "' is not an address or address:port");
                }
                String host = m.group(1) != null ? m.group(1) : m.group(3) != null ? m.group(3) : m.group(5);
                String port = m.group(2) != null ? m.group(2) : m.group(4);
                java.net.InetAddress a = eu.minivoice.gateway.domain.IpRange.literalAddress(host);
                int p = port == null ? 53 : Integer.parseInt(port);
                if (a == null || p < 1 || p > 65535) {
                    throw new IllegalArgumentException("'" + s + "' is not an address or address:port");
                }
                out.add(new java.net.InetSocketAddress(a, p));
            }
            return out;
        }
    }

    /**
     * Limits of TCP and TLS connections (both sides, both directions together): at most
     * {@code maxConnections} open, at most {@code maxConnectionsPerAddress} opened to us from one
     * source address; a connection a peer opened is closed after {@code idleTimeoutSeconds}
     * without traffic, one we opened is kept alive with CRLF pings at half that interval; a
     * message must be complete within {@code messageReadTimeoutSeconds} of its first byte.
     */
    public record TcpConfig(int maxConnections, int maxConnectionsPerAddress, int idleTimeoutSeconds,
                            int messageReadTimeoutSeconds) {
    }

    /**
     * TLS on the carrier side: a listening point on {@code port} (0 = off) with this key store,
     * also used for outgoing TLS (REGISTER to a {@code ;transport=tls} or {@code sips:} proxy).
     * The trust store (empty = the key store) decides which carriers' certificates are accepted.
     */
    public record TlsConfig(int port, String keystore, String keystorePassword, String truststore,
                            String truststorePassword) {
        public boolean enabled() {
            return port != 0;
        }

        @Override
        public String toString() {
            return "TlsConfig[port=" + port + ", keystore=" + keystore + ", truststore=" + truststore + "]";
        }
    }

    public record DatabaseConfig(String url, Path dataDir, String user, String password, int poolSize) {
        public boolean embedded() {
            return url.isEmpty();
        }

        /** A database several gateway nodes can share (docs/scale-out.md). */
        public boolean shared() {
            return url.startsWith("jdbc:postgresql:");
        }

        @Override
        public String toString() {
            return "DatabaseConfig[url=" + url + ", dataDir=" + dataDir + ", user=" + user
                    + ", password=" + (password.isEmpty() ? "unset" : "***") + ", poolSize=" + poolSize + "]";
        }
    }

    public record TrunkDefaults(int defaultRegisterExpires, int defaultPriority) {
    }

    public record RegistrationConfig(int answerTimeoutSeconds, int backoffMinSeconds, int backoffMaxSeconds,
                                     int failedRetrySeconds, int startupSpreadSeconds, int timelineSize,
                                     int shutdownUnregisterSeconds, int pingTimeoutSeconds, int pingDownAfter,
                                     int pingUpAfter, int connectionCheckSeconds) {
    }

    /**
     * The webhook dispatcher (docs/product.md §6): timeouts in milliseconds, retry window in seconds, and
     * the bounds that keep one slow endpoint from holding memory or other endpoints' turn.
     */
    public record WebhookConfig(int timeoutMs, int connectTimeoutMs, int actionTimeoutMs, int backoffMinMs,
                                int backoffMaxSeconds, int maxAgeSeconds, int maxInFlightPerEndpoint,
                                int maxPendingPerEndpoint, int maxPendingTotal, int maxResponseBytes,
                                int queueCapacity, int maxActionFetches, int httpThreads) {
    }

    /**
     * The outbound relay (docs/product.md §4): how long a carrier may stay silent before the next trunk is
     * tried, and the longest call. Customer-wide call limits are quotas ({@code quotas}).
     */
    public record RelayConfig(int inviteTimeoutMs, int maxCallSeconds) {
    }

    /**
     * Tenant isolation (docs/security.md): which private ranges customer-supplied targets may still
     * name, and the widest {@code inbound_ip} range a trunk may claim.
     */
    public record SecurityConfig(List<String> allowedPrivateCidrs, int minInboundPrefixV4, int minInboundPrefixV6,
                                 String secretKey, String secretKeyFile) {
        public SecurityConfig {
            allowedPrivateCidrs = List.copyOf(allowedPrivateCidrs);
        }

        /** A convenience for tests: no key given (the key file is used). */
        public SecurityConfig(List<String> allowedPrivateCidrs, int minInboundPrefixV4, int minInboundPrefixV6) {
            this(allowedPrivateCidrs, minInboundPrefixV4, minInboundPrefixV6, "", "");
        }

        /** The key file: as set, else {@code secret.key} in the data directory. */
        public Path keyFile(Path dataDir) {
            return secretKeyFile.isEmpty() ? dataDir.resolve("secret.key") : Path.of(secretKeyFile);
        }

        /** Never print the key. */
        @Override
        public String toString() {
            return "SecurityConfig[allowedPrivateCidrs=" + allowedPrivateCidrs + ", minInboundPrefixV4="
                    + minInboundPrefixV4 + ", minInboundPrefixV6=" + minInboundPrefixV6 + ", secretKey="
                    + (secretKey.isEmpty() ? "unset" : "***") + ", secretKeyFile=" + secretKeyFile + "]";
        }
    }
}
