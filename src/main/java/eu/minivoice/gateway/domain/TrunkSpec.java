package eu.minivoice.gateway.domain;

/**
 * What a customer writes about a trunk: every field of docs/product.md §2 that is not read-only, already
 * validated (see TrunkValidator) and with defaults applied, so nothing downstream re-checks it.
 *
 * @param proxy         as the customer wrote it; always parseable by {@link ProxyAddress#parse}
 * @param inboundIp     canonical comma-separated list of {@link IpRange}s, or null
 * @param register      the explicit choice, or null for "register when a username is set"
 * @param maxConcurrentCalls null = no limit
 * @param maxCps        null = no limit
 * @param failoverCodes canonical comma-separated SIP codes that move an outbound attempt to the
 *                      next trunk ("408,500,503"), or null for {@link #DEFAULT_FAILOVER_CODES}
 * @param tlsVerifyHostname over TLS, the carrier's certificate must name the proxy host (the
 *                      opt-out is for carriers whose certificate does not; a readiness warning)
 */
public record TrunkSpec(
        String name,
        String proxy,
        String username,
        String password,
        String realm,
        String fromDomain,
        String inboundIp,
        boolean active,
        String gatewayName,
        TrunkDirection direction,
        int priority,
        Boolean register,
        int registerExpires,
        int pingInterval,
        String applicationId,
        Integer maxConcurrentCalls,
        Integer maxCps,
        String failoverCodes,
        boolean tlsVerifyHostname) {

    /** A spec with the TLS host name check on (the default). */
    public TrunkSpec(String name, String proxy, String username, String password, String realm, String fromDomain,
                     String inboundIp, boolean active, String gatewayName, TrunkDirection direction, int priority,
                     Boolean register, int registerExpires, int pingInterval, String applicationId,
                     Integer maxConcurrentCalls, Integer maxCps, String failoverCodes) {
        this(name, proxy, username, password, realm, fromDomain, inboundIp, active, gatewayName, direction, priority,
                register, registerExpires, pingInterval, applicationId, maxConcurrentCalls, maxCps, failoverCodes, true);
    }

    /** docs/product.md §4: timeouts and server failures move on; a person's answer (404/486/603) never does. */
    public static final java.util.SortedSet<Integer> DEFAULT_FAILOVER_CODES = java.util.Collections.unmodifiableSortedSet(
            new java.util.TreeSet<>(java.util.List.of(408, 500, 502, 503, 504)));

    /** The codes that fail an attempt over to the next trunk (before any provisional answer). */
    public java.util.SortedSet<Integer> failoverCodeSet() {
        if (failoverCodes == null) {
            return DEFAULT_FAILOVER_CODES;
        }
        java.util.SortedSet<Integer> out = new java.util.TreeSet<>();
        for (String c : failoverCodes.split(",")) {
            out.add(Integer.parseInt(c.trim()));
        }
        return out;
    }

    /** Whether the registration engine should keep a registration for this trunk. */
    public boolean registers() {
        return register != null ? register : username != null;
    }

    public ProxyAddress proxyAddress() {
        return ProxyAddress.parse(proxy);
    }

    /** Never print the password. */
    @Override
    public String toString() {
        return "TrunkSpec[name=" + name + ", proxy=" + proxy + ", username=" + username
                + ", password=" + (password == null ? "unset" : "***") + ", realm=" + realm
                + ", fromDomain=" + fromDomain + ", inboundIp=" + inboundIp + ", active=" + active
                + ", gatewayName=" + gatewayName + ", direction=" + direction + ", priority=" + priority
                + ", register=" + register + ", registerExpires=" + registerExpires
                + ", pingInterval=" + pingInterval + ", applicationId=" + applicationId
                + ", maxConcurrentCalls=" + maxConcurrentCalls + ", maxCps=" + maxCps
                + ", failoverCodes=" + failoverCodes + "]";
    }
}
