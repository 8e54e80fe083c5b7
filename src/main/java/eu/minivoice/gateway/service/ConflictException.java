package eu.minivoice.gateway.service;

/** The operation contradicts existing state (e.g. deleting an application numbers still use): 409. */
public final class ConflictException extends RuntimeException {
    public ConflictException(String message) {
        super(message);
    }
}
