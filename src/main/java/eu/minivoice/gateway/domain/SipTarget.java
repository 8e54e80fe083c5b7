package eu.minivoice.gateway.domain;

import java.net.InetAddress;
import java.util.Objects;

/**
 * One place a request to a carrier proxy can go: an address, a port and a transport — the result
 * of locating the proxy (RFC 3263 §4: NAPTR → SRV → A/AAAA, or the literal as written).
 */
public record SipTarget(InetAddress address, int port, SipTransport transport) {
    public SipTarget {
        Objects.requireNonNull(address);
        Objects.requireNonNull(transport);
    }

    /** The address as a literal without brackets ("203.0.113.5", "2001:db8::1"). */
    public String host() {
        return address.getHostAddress();
    }

    /** The targets' addresses as literals (what the address policy and the digest-leak guard compare). */
    public static java.util.Set<String> hosts(java.util.Collection<SipTarget> targets) {
        java.util.Set<String> out = new java.util.HashSet<>();
        targets.forEach(t -> out.add(t.host()));
        return out;
    }

    @Override
    public String toString() {
        String h = host();
        return (h.contains(":") ? "[" + h + "]" : h) + ":" + port + ";transport=" + transport.token();
    }
}
