package eu.minivoice.gateway.domain;

import java.util.Locale;

/**
 * Whose URL a delivery goes to, which also says whose secret signs it: an application's
 * status callback, a customer's {@code events_url}, or the synchronous action fetch of a call
 * (recorded once with its outcome, never retried: the call could not wait).
 */
public enum TargetKind {
    APPLICATION, CUSTOMER, ACTION;

    public String token() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static TargetKind of(String token) {
        return valueOf(token.toUpperCase(Locale.ROOT));
    }
}
