package eu.minivoice.gateway.api;

/** One method + path pattern ("/v1/trunks/{id}") and who may call it. */
public record Route(String method, String pattern, Access access, Handler handler) {

    public enum Access {
        /** No credentials (health). */
        PUBLIC,
        /** A customer's API key; the request carries that customer's id. */
        CUSTOMER,
        /** The operator key from the configuration. */
        OPERATOR
    }

    @FunctionalInterface
    public interface Handler {
        ApiResponse handle(ApiRequest request);
    }
}
