package eu.minivoice.gateway.store;

/** A database failure the caller cannot fix by changing its input (the API answers 500/503). */
public class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
