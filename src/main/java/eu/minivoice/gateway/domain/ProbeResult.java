package eu.minivoice.gateway.domain;

/**
 * The outcome of one OPTIONS to a proxy.
 *
 * @param code   the SIP status of the answer, or null when none came
 * @param error  why there was no answer (timeout, transport), or null
 */
public record ProbeResult(Integer code, String reason, long rttMillis, String error) {
    /** Any SIP answer, even 403 or 405, proves the proxy is there and speaking SIP. */
    public boolean reachable() {
        return code != null;
    }
}
