package eu.minivoice.gateway.domain;

/**
 * The outcome of one OPTIONS to a proxy.
 *
 * @param code   the SIP status of the answer, or null when none came
 * @param error  why there was no answer (timeout, transport), or null
 * @param server the server that answered, or the last one asked ("203.0.113.5:5060;transport=udp");
 *               null when none was (the name did not resolve). A proxy name may lead to several (RFC 3263)
 */
public record ProbeResult(Integer code, String reason, long rttMillis, String error, String server) {
    /** Any SIP answer, even 403 or 405, proves the proxy is there and speaking SIP. */
    public boolean reachable() {
        return code != null;
    }
}
