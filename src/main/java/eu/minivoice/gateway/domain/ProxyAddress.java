package eu.minivoice.gateway.domain;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a trunk's carrier proxy is: host (name, IPv4 or [IPv6]), optional port, transport.
 *
 * <p>Accepted forms (docs/product.md §2): {@code host}, {@code host:port}, {@code host;transport=tcp|tls|udp},
 * and the same behind {@code sip:} or {@code sips:}. {@code sips:} means TLS. A user part, other URI
 * parameters or headers are refused: a proxy is an address, and a silently dropped parameter would
 * surprise the operator who wrote it.
 *
 * @param port           0 when the proxy names none (then DNS SRV or the transport's default port applies)
 * @param transportGiven whether {@code ;transport=} was written (else UDP, or TLS for {@code sips:},
 *                       unless DNS says otherwise: RFC 3263, docs/registration.md "Proxy names")
 */
public record ProxyAddress(String host, int port, SipTransport transport, boolean secureScheme, boolean transportGiven) {

    private static final Pattern FORM = Pattern.compile(
            "(?i)(?:(sips?):)?(\\[[0-9a-f:.]+\\]|[^:;\\[\\]@/\\s]+)(?::(\\d{1,5}))?(?:;transport=([a-z]+))?");
    private static final Pattern HOSTNAME = Pattern.compile(
            "(?i)(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\\.?");

    public static ProxyAddress parse(String text) {
        String s = text.trim();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("must not be empty");
        }
        if (s.contains("@")) {
            throw new IllegalArgumentException("must be a host, not a user address: drop the part before '@'");
        }
        Matcher m = FORM.matcher(s);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + s + "' is not host, host:port, host;transport=udp|tcp|tls"
                    + " or a sip:/sips: URI");
        }
        boolean sips = "sips".equalsIgnoreCase(m.group(1));
        String host = m.group(2).toLowerCase(Locale.ROOT);
        validateHost(host);
        int port = 0;
        if (m.group(3) != null) {
            port = Integer.parseInt(m.group(3));
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port " + port + " is out of range 1-65535");
            }
        }
        SipTransport transport = m.group(4) == null
                ? (sips ? SipTransport.TLS : SipTransport.UDP)
                : SipTransport.fromToken(m.group(4));
        if (sips && transport != SipTransport.TLS) {
            throw new IllegalArgumentException("a sips: URI needs transport tls, not " + transport.token());
        }
        return new ProxyAddress(host, port, transport, sips, m.group(4) != null);
    }

    /** Validates a host: a DNS name, an IPv4 literal or a bracketed IPv6 literal. */
    public static void validateHost(String host) {
        if (host.startsWith("[")) {
            if (!host.endsWith("]") || !host.contains(":")) {
                throw new IllegalArgumentException("'" + host + "' is not a valid [IPv6] address");
            }
            IpRange.parseLiteral(host);
            return;
        }
        if (host.matches("[0-9.]+")) {
            IpRange.parseLiteral(host); // all digits and dots: must be a real IPv4 address
            return;
        }
        if (!HOSTNAME.matcher(host).matches()) {
            throw new IllegalArgumentException("'" + host + "' is not a valid host name");
        }
    }

    /**
     * The proxy's numeric addresses (an IP literal as itself, a DNS name resolved). May wait on
     * DNS: never call it on a SIP thread.
     */
    public java.util.Set<String> resolveNumeric() throws java.net.UnknownHostException {
        String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        java.util.Set<String> out = new java.util.HashSet<>();
        for (java.net.InetAddress a : java.net.InetAddress.getAllByName(bare)) {
            out.add(a.getHostAddress());
        }
        return out;
    }

    /** Whether the host is an IPv4 or [IPv6] literal (no DNS involved). */
    public boolean literal() {
        return IpRange.literalAddress(host.startsWith("[") ? host.substring(1, host.length() - 1) : host) != null;
    }

    /**
     * RFC 3263 §4.1: only a name without port or transport lets DNS (NAPTR) choose the transport;
     * a {@code sips:} name is TLS whatever NAPTR says.
     */
    public boolean transportFromDns() {
        return !literal() && port == 0 && !transportGiven && !secureScheme;
    }

    /** The port to use: the explicit one, else the transport's default. */
    public int effectivePort() {
        return port != 0 ? port : transport.defaultPort();
    }
}
