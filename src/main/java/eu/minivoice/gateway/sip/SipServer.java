package eu.minivoice.gateway.sip;

import eu.minivoice.gateway.config.GatewayConfig;
import eu.minivoice.gateway.sip.net.GatewayNetworkLayer;
import eu.minivoice.gateway.config.GatewayConfig.SipConfig;
import eu.minivoice.gateway.sip.logging.Slf4jServerLogger;
import eu.minivoice.gateway.sip.logging.Slf4jStackLogger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sip.ListeningPoint;
import javax.sip.SipFactory;
import javax.sip.SipProvider;
import javax.sip.SipStack;
import javax.sip.address.AddressFactory;
import javax.sip.header.HeaderFactory;
import javax.sip.message.MessageFactory;
import java.net.BindException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The JAIN-SIP stack with its two sides: the external (carrier) and internal (platform) listening
 * points, each on every configured transport. Knows nothing of trunks, storage or the REST API.
 */
public final class SipServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SipServer.class);

    private final SipConfig config;
    private final String stackName;
    private SipStack stack;
    private SipProvider external;
    private SipProvider internal;
    private MessageFactory messageFactory;
    private HeaderFactory headerFactory;
    private AddressFactory addressFactory;
    /** The IPv6 listening points of each side (sip.bind_v6); null when off. */
    private SipProvider externalV6;
    private SipProvider internalV6;
    private volatile boolean running;

    /** Hosts (lower case) whose TLS certificate is not checked against the name: trunks that opted out. */
    private volatile java.util.function.Predicate<String> tlsUnverifiedHosts = host -> false;

    /** Which hosts skip the TLS host name check (asked per new connection, from memory). */
    public void tlsUnverifiedHosts(java.util.function.Predicate<String> hosts) {
        this.tlsUnverifiedHosts = hosts;
    }

    /** Key and trust material for TLS from sip.tls_*; null when TLS is off. */
    private javax.net.ssl.SSLContext tlsContext() throws Exception {
        GatewayConfig.TlsConfig tls = config.tls();
        if (!tls.enabled()) {
            return null;
        }
        java.security.KeyStore keys = load(tls.keystore(), tls.keystorePassword());
        java.security.KeyStore trust = tls.truststore().isEmpty() ? keys : load(tls.truststore(), tls.truststorePassword());
        var kmf = javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, tls.keystorePassword().toCharArray());
        var tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        javax.net.ssl.SSLContext c = javax.net.ssl.SSLContext.getInstance("TLS");
        c.init(kmf.getKeyManagers(), tmf.getTrustManagers(), new java.security.SecureRandom());
        return c;
    }

    private static java.security.KeyStore load(String file, String password) throws Exception {
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        try (var in = java.nio.file.Files.newInputStream(java.nio.file.Path.of(file))) {
            ks.load(in, password.toCharArray());
        }
        return ks;
    }

    /** @param stackName unique per JVM (names the stack's threads and log lines; two gateways run in one JVM in tests) */
    public SipServer(SipConfig config, String stackName) {
        this.config = config;
        this.stackName = stackName;
    }

    /** The stack properties; each one is a decision, explained beside it. */
    Properties stackProperties() {
        Properties p = new Properties();
        p.setProperty("javax.sip.STACK_NAME", stackName);
        // Our loggers replace the log4j-based defaults (log4j 1.x stays off the classpath).
        p.setProperty("gov.nist.javax.sip.STACK_LOGGER", Slf4jStackLogger.class.getName());
        p.setProperty("gov.nist.javax.sip.SERVER_LOGGER", Slf4jServerLogger.class.getName());
        p.setProperty(Slf4jServerLogger.TRACE_PROPERTY, Boolean.toString(config.trace()));
        // A B2BUA manages its own dialogs; the stack must not create them behind our back.
        p.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", "off");
        // Several stack threads may call the listener at once; our listener is thread-safe.
        p.setProperty("gov.nist.javax.sip.REENTRANT_LISTENER", "true");
        p.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", Integer.toString(config.threads()));
        // Finished transactions linger (RFC 3261 timers, up to 32 s) holding their parsed messages;
        // at 1,000 calls/s that made every young GC copy ~100 MB (115 ms pauses). Both "Normal" and
        // "Aggressive" drop the parsed copies once a transaction completes; "Normal" also keeps the
        // request encoded so Transaction.getRequest() can parse it again later — it encoded every
        // request when its transaction completed and parsed it back when it ended, for nothing: we
        // never ask a finished transaction for its request (the relay keeps what it needs itself).
        // The stack's own lookups use the ids it keeps (MetricsApiTest: its tables drain to zero).
        p.setProperty("gov.nist.javax.sip.RELEASE_REFERENCES_STRATEGY", "Aggressive");
        // Bounds a message (and so the memory one peer can make us hold): the stack's check, and
        // the TCP/TLS framing's limit (SipStreamDecoder).
        p.setProperty("gov.nist.javax.sip.MAX_MESSAGE_SIZE", Integer.toString(config.maxMessageBytes()));
        // Requests to proxies we located ourselves (RFC 3263, sip/dns) go to the address we chose
        // (PinnedRouter); the rest is routed as JAIN-SIP's default router does.
        p.setProperty("javax.sip.ROUTER_PATH", eu.minivoice.gateway.sip.transport.PinnedRouter.class.getName());
        // Our sockets: UDP sockets, and TLS engines with host name checks (docs/security.md).
        p.setProperty("gov.nist.javax.sip.NETWORK_LAYER", GatewayNetworkLayer.class.getName());
        // UDP with per-Call-ID ordered lanes, so a dialog's messages are processed in arrival order;
        // TCP and TLS on Netty event loops with the same lanes: no thread per connection, connects
        // that never block the sender (docs/sip.md, "TCP and TLS").
        p.setProperty("gov.nist.javax.sip.MESSAGE_PROCESSOR_FACTORY",
                eu.minivoice.gateway.sip.transport.OrderedMessageProcessorFactory.class.getName());
        // A terminated dialog or transaction is kept this many seconds before it is released (the
        // stock 8 s kept ~16,000 finished dialogs alive at 1,000 calls/s). Retransmissions are
        // absorbed before that by the transactions' own RFC 3261 timers (J, K, the 2xx resends).
        p.setProperty("gov.nist.javax.sip.LINGER_TIMER", "2");
        // Transaction timers on a hashed wheel: O(1), no lock shared by every worker (WheelSipTimer).
        p.setProperty("gov.nist.javax.sip.TIMER_CLASS_NAME", eu.minivoice.gateway.sip.transport.WheelSipTimer.class.getName());
        // Bursts (thousands of REGISTERs after a restart) overflow the OS default UDP buffers; a lost
        // 200 costs a trunk a 32 s timeout. The kernel caps these at net.core.[rw]mem_max.
        p.setProperty("gov.nist.javax.sip.RECEIVE_UDP_BUFFER_SIZE", Integer.toString(4 * 1024 * 1024));
        p.setProperty("gov.nist.javax.sip.SEND_UDP_BUFFER_SIZE", Integer.toString(4 * 1024 * 1024));
        // TCP and TLS on Netty (OrderedMessageProcessorFactory): their limits. TLS versions, suites and
        // certificate checks are GatewayNetworkLayer's; the stack's own TLS properties are unused.
        p.setProperty(eu.minivoice.gateway.sip.transport.OrderedMessageProcessorFactory.TCP_MAX_CONNECTIONS,
                Integer.toString(config.tcp().maxConnections()));
        p.setProperty(eu.minivoice.gateway.sip.transport.OrderedMessageProcessorFactory.TCP_MAX_CONNECTIONS_PER_ADDRESS,
                Integer.toString(config.tcp().maxConnectionsPerAddress()));
        p.setProperty(eu.minivoice.gateway.sip.transport.OrderedMessageProcessorFactory.TCP_IDLE_TIMEOUT_SECONDS,
                Integer.toString(config.tcp().idleTimeoutSeconds()));
        p.setProperty(eu.minivoice.gateway.sip.transport.OrderedMessageProcessorFactory.TCP_MESSAGE_READ_TIMEOUT_SECONDS,
                Integer.toString(config.tcp().messageReadTimeoutSeconds()));
        return p;
    }

    /** Opens both sides; @throws SipStartException naming the port that failed. */
    public void start(SipEdge edge) throws SipStartException {
        SipFactory factory = SipFactory.getInstance();
        factory.setPathName("gov.nist");
        try {
            // Made directly (not through the factory's by-name cache): our stack skips the stock
            // stack's scan of every client transaction for a stray response (GatewaySipStack).
            stack = new eu.minivoice.gateway.sip.transport.GatewaySipStack(stackProperties());
            ((GatewayNetworkLayer) ((gov.nist.javax.sip.SipStackImpl) stack).getNetworkLayer())
                    .configure(tlsContext(), config.connectTimeoutMs(), host -> !tlsUnverifiedHosts.test(host));
            messageFactory = factory.createMessageFactory();
            headerFactory = factory.createHeaderFactory();
            addressFactory = factory.createAddressFactory();
        } catch (Exception e) {
            throw new SipStartException("cannot create the SIP stack: " + e.getMessage(), false, e);
        }
        try {
            external = provider(SipSide.EXTERNAL, config.externalPort());
            if (config.tls().enabled()) {
                external.addListeningPoint(listen(SipSide.EXTERNAL, config.tls().port(), "tls"));
            }
            internal = provider(SipSide.INTERNAL, config.internalPort());
            openIpv6();
            edge.bind(this);
            for (SipProvider p : new SipProvider[] {external, internal, externalV6, internalV6}) {
                if (p != null) {
                    p.addSipListener(edge);
                }
            }
            stack.start();
        } catch (SipStartException e) {
            close();
            throw e;
        } catch (Exception e) {
            close();
            throw new SipStartException("cannot start the SIP stack: " + e.getMessage(), false, e);
        }
        running = true;
        log.info("SIP listening: external {}:{} and internal {}:{} ({}), advertising {}", config.bind(),
                config.externalPort(), config.internalBindAddress(), config.internalPort(),
                String.join("/", config.transports()),
                config.advertisedAddress());
        if (externalV6 != null) {
            log.info("SIP listening on IPv6 too: external [{}]:{} and internal [{}]:{}, advertising [{}]",
                    config.v6().bind(), config.externalPort(), config.v6().internalBindAddress(), config.internalPort(),
                    config.v6().advertisedAddress(false));
        }
    }

    /**
     * Both sides' IPv6 listening points (sip.bind_v6). A host without IPv6 starts without them when
     * the address is the shipped default ::1 (logged); an address configured on purpose must open.
     */
    private void openIpv6() throws SipStartException {
        if (!config.v6().enabled()) {
            return;
        }
        try {
            externalV6 = provider(SipSide.EXTERNAL, config.externalPort(), true);
            if (config.tls().enabled()) {
                externalV6.addListeningPoint(listen(SipSide.EXTERNAL, config.tls().port(), "tls", true));
            }
            internalV6 = provider(SipSide.INTERNAL, config.internalPort(), true);
        } catch (SipStartException | javax.sip.ObjectInUseException | javax.sip.TransportAlreadySupportedException e) {
            if (unavailableFamily(e) && config.v6().bind().equals(GatewayConfig.Ipv6Config.DEFAULT_BIND)) {
                log.warn("no IPv6 on this host ({}): SIP listens on IPv4 only (set sip.bind_v6 empty to silence this)",
                        e.getMessage());
                removeIpv6();
                return;
            }
            throw e instanceof SipStartException s ? s
                    : new SipStartException("cannot open the IPv6 SIP ports: " + e.getMessage(), false, e);
        }
    }

    private void removeIpv6() {
        for (SipProvider p : new SipProvider[] {externalV6, internalV6}) {
            if (p == null) {
                continue;
            }
            try {
                for (ListeningPoint lp : p.getListeningPoints()) {
                    p.removeListeningPoint(lp);
                    stack.deleteListeningPoint(lp);
                }
                stack.deleteSipProvider(p);
            } catch (Exception ignored) {
                // nothing was opened
            }
        }
        externalV6 = null;
        internalV6 = null;
    }

    private SipProvider provider(SipSide side, int port) throws SipStartException {
        return provider(side, port, false);
    }

    private SipProvider provider(SipSide side, int port, boolean v6) throws SipStartException {
        List<ListeningPoint> points = new ArrayList<>();
        for (String transport : config.transports()) {
            points.add(listen(side, port, transport, v6));
        }
        try {
            SipProvider provider = stack.createSipProvider(points.get(0));
            for (ListeningPoint lp : points.subList(1, points.size())) {
                provider.addListeningPoint(lp);
            }
            return provider;
        } catch (Exception e) {
            throw new SipStartException("cannot create the " + side + " SIP provider: " + e.getMessage(), false, e);
        }
    }

    /** The carrier side on sip.bind; the platform side on sip.internal_bind when set (docs/security.md). */
    private String bindOf(SipSide side, boolean v6) {
        if (v6) {
            return side == SipSide.INTERNAL ? config.v6().internalBindAddress() : config.v6().bind();
        }
        return side == SipSide.INTERNAL ? config.internalBindAddress() : config.bind();
    }

    private ListeningPoint listen(SipSide side, int port, String transport) throws SipStartException {
        return listen(side, port, transport, false);
    }

    private ListeningPoint listen(SipSide side, int port, String transport, boolean v6) throws SipStartException {
        try {
            return stack.createListeningPoint(bindOf(side, v6), port, transport);
        } catch (Exception e) {
            boolean inUse = hasCause(e, BindException.class) && !unavailableFamily(e);
            String what = side.name().toLowerCase() + " SIP port " + bindOf(side, v6) + ":" + port + "/" + transport;
            throw new SipStartException(inUse ? what + " is already in use" : "cannot open " + what + ": "
                    + e.getMessage(), inUse, e);
        }
    }

    /**
     * Whether a TCP/TLS connection to {@code ip:port} is open on the carrier side ({@code tlsName}:
     * the TLS one made to prove that proxy name; null: by address). Nothing tells
     * the registration when a carrier closes the connection its registration lives on; it asks.
     */
    public boolean hasConnection(String ip, int port, String transport, String tlsName) {
        SipProvider side = ip.contains(":") && externalV6 != null ? externalV6 : external;
        eu.minivoice.gateway.sip.transport.StreamConnections streams =
                streamsOf(side == null ? null : side.getListeningPoint(transport));
        return streams == null || streams.open(ip, port, tlsName); // not connection-oriented: nothing to watch
    }

    /**
     * Runs {@code listener} whenever a carrier-side TCP/TLS connection closes (it must return at
     * once): the registration then checks its connections without waiting for its next look.
     */
    public void onConnectionClosed(Runnable listener) {
        for (SipProvider side : new SipProvider[] {external, externalV6}) {
            if (side == null) {
                continue;
            }
            for (ListeningPoint lp : side.getListeningPoints()) {
                eu.minivoice.gateway.sip.transport.StreamConnections streams = streamsOf(lp);
                if (streams != null) {
                    streams.onClose(listener);
                }
            }
        }
    }

    /** The TCP/TLS transport behind a listening point; null for UDP (or none). */
    private static eu.minivoice.gateway.sip.transport.StreamConnections streamsOf(ListeningPoint lp) {
        return lp instanceof gov.nist.javax.sip.ListeningPointImpl impl
                && impl.getMessageProcessor() instanceof eu.minivoice.gateway.sip.transport.StreamConnections streams
                ? streams : null;
    }

    /** The external port a transport listens on (TLS has its own). */
    public int externalPort(String transport) {
        return "tls".equalsIgnoreCase(transport) ? config.tls().port() : config.externalPort();
    }

    /** The address cannot exist here (no IPv6, or not this host's address) — not a port in use. */
    private static boolean unavailableFamily(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = String.valueOf(t.getMessage());
            if (m.contains("Cannot assign requested address") || m.contains("not supported")
                    || m.contains("family unavailable")) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    public SipSide sideOf(Object provider) {
        return provider == internal || (provider == internalV6 && internalV6 != null) ? SipSide.INTERNAL : SipSide.EXTERNAL;
    }

    /** The provider of a side for sending to {@code target}: its IPv6 one for an IPv6 address. */
    public SipProvider provider(boolean internalSide, java.net.InetAddress target) throws javax.sip.SipException {
        return provider(internalSide, target instanceof java.net.Inet6Address);
    }

    /** The provider of a side for one address family. */
    public SipProvider provider(boolean internalSide, boolean v6) throws javax.sip.SipException {
        if (v6) {
            SipProvider p = internalSide ? internalV6 : externalV6;
            if (p == null) {
                throw new javax.sip.SipException("IPv6 is off on this gateway (sip.bind_v6)");
            }
            return p;
        }
        return internalSide ? internal : external;
    }

    /** Whether the gateway listens (and so can send) on IPv6. */
    public boolean ipv6() {
        return externalV6 != null;
    }

    /** Our address on a side in Via/Contact for peers of that family. */
    public String advertisedAddress(boolean internalSide, boolean v6) {
        return v6 ? config.v6().advertisedAddress(internalSide) : config.advertisedAddress(internalSide);
    }

    /** The carrier-facing provider: REGISTERs and outbound calls leave through it. */
    public SipProvider internalProvider() {
        return internal;
    }


    public SipProvider externalProvider() {
        return external;
    }

    /**
     * A carrier-side client transaction whose request goes to {@code target} (located by the
     * caller, RFC 3263) while its Request-URI and Route keep the proxy's name. Over TLS the
     * carrier's certificate is checked against {@code proxyHost}, the name the customer wrote
     * (RFC 5922 §4), not against the address DNS gave.
     */
    public javax.sip.ClientTransaction clientTransaction(javax.sip.message.Request request,
                                                         eu.minivoice.gateway.domain.SipTarget target,
                                                         String proxyHost) throws Exception {
        SipProvider provider = provider(false, target.address());
        java.util.concurrent.Callable<javax.sip.ClientTransaction> create = () ->
                ((eu.minivoice.gateway.sip.transport.PinnedRouter) stack.getRouter()).pinned(target.host(),
                        target.port(), target.transport().token(), () -> provider.getNewClientTransaction(request));
        // A name (not an address literal) over TLS: the connection must prove that name.
        boolean byName = eu.minivoice.gateway.domain.IpRange.literalAddress(proxyHost) == null;
        return target.transport() == eu.minivoice.gateway.domain.SipTransport.TLS && byName
                ? network().expectingTlsName(proxyHost, create) : create.call();
    }

    private GatewayNetworkLayer network() {
        return (GatewayNetworkLayer) ((gov.nist.javax.sip.SipStackImpl) stack).getNetworkLayer();
    }

    public SipConfig config() {
        return config;
    }

    public MessageFactory messageFactory() {
        return messageFactory;
    }

    public HeaderFactory headerFactory() {
        return headerFactory;
    }

    public AddressFactory addressFactory() {
        return addressFactory;
    }

    /**
     * What the stack holds now (0 before it starts), for the metrics: server transactions, client
     * transactions and dialogs. Each count is the size of a concurrent map: no lock, no copy.
     */
    public SipStackLoad load() {
        SipStack s = running ? stack : null; // the volatile read first: stack was set before it
        if (!(s instanceof eu.minivoice.gateway.sip.transport.GatewaySipStack g)) {
            return new SipStackLoad(0, 0, 0, 0);
        }
        return new SipStackLoad(g.getServerTransactionTableSize(), g.getClientTransactionTableSize(), g.dialogCount(),
                g.queueDelayMillis());
    }

    /** How far behind the SIP workers are, in ms (0 when idle or stopped): see docs/sip.md, "Overload". */
    public long queueDelayMillis() {
        SipStack s = running ? stack : null;
        return s instanceof eu.minivoice.gateway.sip.transport.GatewaySipStack g ? g.queueDelayMillis() : 0;
    }

    /** True while both sides are open (for /health). */
    public boolean isListening() {
        return running && external != null && internal != null;
    }

    @Override
    public void close() {
        running = false;
        if (stack != null) {
            stack.stop(); // closes listening points and stops the stack's threads
            stack = null;
            log.info("SIP stack {} stopped", stackName);
        }
    }
}
