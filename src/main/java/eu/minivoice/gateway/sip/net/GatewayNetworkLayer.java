package eu.minivoice.gateway.sip.net;

import gov.nist.core.net.NetworkLayer;
import gov.nist.javax.sip.SipStackImpl;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * The stack's {@code NETWORK_LAYER} extension point, and the TLS policy of the gateway's own
 * TCP/TLS transport (sip/transport, on Netty), which asks it for engines and the connect timeout:
 * <ul>
 *   <li>TLS 1.3 and 1.2 only, forward-secret AEAD suites;</li>
 *   <li>outgoing TLS checks that the carrier's certificate names the host we meant to reach (RFC
 *       6125, the JDK's "HTTPS" endpoint identification: DNS names in subjectAltName, IP addresses
 *       for literal hosts), unless the trunks using that host opted out
 *       ({@code tls_verify_hostname: false});</li>
 *   <li>outgoing connects give up after {@code sip.connect_timeout_ms} (default 2 s).</li>
 * </ul>
 * The stack itself only makes UDP sockets here: its TCP/TLS processors are not used, so asking
 * it for a stream socket is an error. The stack makes this class through a no-argument
 * constructor; {@link #configure} must run before the first connection (the SIP server does it
 * right after creating the stack).
 */
public final class GatewayNetworkLayer implements NetworkLayer {
    private volatile SSLContext tls;
    private volatile int connectTimeoutMs = 2_000;
    private volatile Predicate<String> verifyHost = host -> true;
    /** The proxy name a TLS connection made on this thread now must prove (RFC 5922 §4); null: its address. */
    private final ThreadLocal<String> tlsName = new ThreadLocal<>();

    /** Called by the stack. */
    public GatewayNetworkLayer() {
    }

    /**
     * @param tls        key and trust material for TLS (null: TLS is off)
     * @param verifyHost host (as resolved: the name, or the address literal) → check its certificate
     */
    public void configure(SSLContext tls, int connectTimeoutMs, Predicate<String> verifyHost) {
        this.tls = tls;
        this.connectTimeoutMs = connectTimeoutMs;
        this.verifyHost = verifyHost;
    }

    /** How long an outgoing TCP/TLS connect may take (sip.connect_timeout_ms). */
    public int connectTimeoutMs() {
        return connectTimeoutMs;
    }

    /** Whether TLS is configured on this gateway. */
    public boolean tlsEnabled() {
        return tls != null;
    }

    /** The TLS versions we speak: JAIN-SIP's defaults (TLSv1, TLSv1.1) are obsolete. */
    static final String[] TLS_PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    /** Forward-secret AEAD suites only (JAIN-SIP's defaults included RSA key exchange). */
    static final String[] TLS_CIPHER_SUITES = {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"};

    /**
     * Runs {@code action} (which creates a client transaction, and so picks its connection) with
     * TLS connections for it proving {@code name}: the proxy name that DNS (NAPTR/SRV/A) led to an
     * address. The transport keeps connections apart by that name (sip/transport), so one verified
     * for another name at the same address is never reused for this one.
     */
    public <T> T expectingTlsName(String name, java.util.concurrent.Callable<T> action) throws Exception {
        tlsName.set(name.toLowerCase(Locale.ROOT));
        try {
            return action.call();
        } finally {
            tlsName.remove();
        }
    }

    /** The name set by {@link #expectingTlsName} on this thread; null outside it. */
    public String expectedTlsName() {
        return tlsName.get();
    }

    /**
     * An engine for a connection we open to {@code host} (a name — the proxy's, when DNS led to the
     * address — or an address literal): SNI and the certificate checked against that host unless
     * the trunks using it opted out.
     */
    public javax.net.ssl.SSLEngine clientEngine(String host, int port) throws IOException {
        javax.net.ssl.SSLEngine e = context().createSSLEngine(host, port);
        e.setUseClientMode(true);
        SSLParameters p = e.getSSLParameters();
        p.setProtocols(TLS_PROTOCOLS);
        p.setCipherSuites(TLS_CIPHER_SUITES);
        if (verifyHost.test(host.toLowerCase(Locale.ROOT))) {
            p.setEndpointIdentificationAlgorithm("HTTPS");
        }
        e.setSSLParameters(p);
        return e;
    }

    /** An engine for a connection a peer opened to our TLS port: carriers present no client certificate. */
    public javax.net.ssl.SSLEngine serverEngine() throws IOException {
        javax.net.ssl.SSLEngine e = context().createSSLEngine();
        e.setUseClientMode(false);
        SSLParameters p = e.getSSLParameters();
        p.setProtocols(TLS_PROTOCOLS);
        p.setCipherSuites(TLS_CIPHER_SUITES);
        p.setNeedClientAuth(false);
        p.setWantClientAuth(false);
        e.setSSLParameters(p);
        return e;
    }

    @Override
    public void setSipStack(SipStackImpl sipStackImpl) {
        // nothing needed from the stack
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress bindAddress) throws IOException {
        throw notHere();
    }

    @Override
    public SSLServerSocket createSSLServerSocket(int port, int backlog, InetAddress bindAddress) throws IOException {
        throw notHere();
    }

    @Override
    public Socket createSocket(InetAddress address, int port) throws IOException {
        throw notHere();
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress) throws IOException {
        throw notHere();
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress myAddress, int myPort) throws IOException {
        throw notHere();
    }

    @Override
    public SSLSocket createSSLSocket(InetAddress address, int port) throws IOException {
        throw notHere();
    }

    @Override
    public SSLSocket createSSLSocket(InetAddress address, int port, InetAddress localAddress) throws IOException {
        throw notHere();
    }

    /** TCP and TLS belong to the Netty transport; a stream socket asked of the stack is a wiring error. */
    private static IOException notHere() {
        return new IOException("TCP and TLS run on the gateway's own transport (sip/transport), not the stack's sockets");
    }

    @Override
    public DatagramSocket createDatagramSocket() throws SocketException {
        return new DatagramSocket();
    }

    @Override
    public DatagramSocket createDatagramSocket(int port, InetAddress laddr) throws SocketException {
        return new DatagramSocket(port, laddr);
    }

    /**
     * The host the stack meant: the name the address was resolved from, or the literal. Read from
     * {@code toString()} ("name/1.2.3.4"), never {@code getHostName()}: that would do a reverse
     * lookup for a literal.
     */
    public static String hostOf(InetAddress address) {
        String s = address.toString();
        int slash = s.indexOf('/');
        return slash > 0 ? s.substring(0, slash) : address.getHostAddress();
    }

    private SSLContext context() throws IOException {
        SSLContext c = tls;
        if (c == null) {
            throw new IOException("TLS is off on this gateway (set sip.tls_port and sip.tls_keystore)");
        }
        return c;
    }
}
