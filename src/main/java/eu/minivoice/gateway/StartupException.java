package eu.minivoice.gateway;

/** The gateway cannot start; the message says why in operator terms. */
public final class StartupException extends Exception {
    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
