package eu.minivoice.gateway.domain;

/**
 * What a customer writes about a trunk: every field of DESIGN §2 that is not read-only, already
 * validated (see TrunkValidator) and with defaults applied, so nothing downstream re-checks it.
 *
 * @param proxy         as the customer wrote it; always parseable by {@link ProxyAddress#parse}
 * @param inboundIp     canonical comma-separated list of {@link IpRange}s, or null
 * @param register      the explicit choice, or null for "register when a username is set"
 * @param maxConcurrentCalls null = no limit
 * @param maxCps        null = no limit
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
        Integer maxCps) {

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
                + ", maxConcurrentCalls=" + maxConcurrentCalls + ", maxCps=" + maxCps + "]";
    }
}
