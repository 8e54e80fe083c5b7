package eu.minivoice.gateway.store;

/** A write broke a uniqueness rule; {@link #field()} names the API field that collided. */
public final class DuplicateException extends StoreException {
    private final String field;

    public DuplicateException(String field, Throwable cause) {
        super("duplicate " + field, cause);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
