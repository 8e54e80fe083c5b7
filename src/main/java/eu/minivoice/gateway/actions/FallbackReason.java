package eu.minivoice.gateway.actions;

/** Why a call runs its application's fallback instead of the webhook's answer (event data, docs). */
public enum FallbackReason {
    /** No answer within the action timeout. */
    TIMEOUT,
    /** Connection refused or reset, DNS or TLS failure. */
    CONNECTION_ERROR,
    /** A status other than 2xx (redirects are not followed). */
    HTTP_STATUS,
    /** The answer was larger than the configured limit. */
    TOO_LARGE,
    /** The answer was not JSON. */
    INVALID_JSON,
    /** JSON, but not a valid action list. */
    INVALID_ACTIONS,
    /** Too many action fetches in flight: the gateway protects itself and answers at once. */
    OVERLOADED,
    /** The application is gone (deleted while the call was being set up). */
    NO_APPLICATION;

    public String token() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
