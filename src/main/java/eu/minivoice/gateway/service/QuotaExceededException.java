package eu.minivoice.gateway.service;

/** A customer has as many of something as its quota allows (the API answers 403 quota_exceeded). */
public final class QuotaExceededException extends RuntimeException {
    public QuotaExceededException(String what, int max) {
        super("the customer's quota of " + max + " " + what + " is reached (the operator can raise it)");
    }
}
