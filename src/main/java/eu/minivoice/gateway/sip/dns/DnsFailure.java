package eu.minivoice.gateway.sip.dns;

import java.util.concurrent.CompletionException;

/** The reason a locate failed, as a trunk's last_reason or a probe's error shows it. */
public final class DnsFailure {
    private DnsFailure() {
    }

    public static String reason(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        String message = cause.getMessage() == null ? cause.toString() : cause.getMessage();
        return "cannot resolve proxy: " + message;
    }
}
