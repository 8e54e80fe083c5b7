package eu.minivoice.gateway.events;

/**
 * What one webhook POST came to: a status (with up to the configured number of body bytes), or a
 * failure before any status. Exactly one of {@code status} and {@code failure} is set.
 *
 * @param truncated    the body was longer than the limit (only the first bytes are kept)
 * @param retryAfter   the Retry-After header, if any (429/503)
 * @param location     the Location header of a 3xx (redirects are never followed; shown in errors)
 */
public record HttpOutcome(Integer status, byte[] body, boolean truncated, String retryAfter, String location,
                          Failure failure, String detail) {

    /** Why no status was received. */
    public enum Failure {
        /** Refused, reset, unreachable, DNS. */
        CONNECTION,
        /** Connect or answer took longer than allowed. */
        TIMEOUT,
        /** TLS handshake or certificate check failed. */
        TLS,
        /** Anything else (malformed HTTP answer, …). */
        PROTOCOL
    }

    public static HttpOutcome answered(int status, byte[] body, boolean truncated, String retryAfter, String location) {
        return new HttpOutcome(status, body, truncated, retryAfter, location, null, null);
    }

    public static HttpOutcome failed(Failure failure, String detail) {
        return new HttpOutcome(null, new byte[0], false, null, null, failure, detail);
    }

    public boolean is2xx() {
        return status != null && status >= 200 && status < 300;
    }

    /** Short text for last_error and logs. */
    public String describe() {
        if (failure != null) {
            return switch (failure) {
                case CONNECTION -> "connection failed: " + detail;
                case TIMEOUT -> "timeout: " + detail;
                case TLS -> "tls error: " + detail;
                case PROTOCOL -> "http error: " + detail;
            };
        }
        if (status >= 300 && status < 400) {
            return "HTTP " + status + " redirect not followed" + (location == null ? "" : " (Location: " + location + ")");
        }
        return "HTTP " + status;
    }
}
