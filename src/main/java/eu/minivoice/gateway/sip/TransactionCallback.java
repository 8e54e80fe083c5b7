package eu.minivoice.gateway.sip;

import javax.sip.ResponseEvent;

/**
 * Attached to a client transaction we create (as its application data); {@link SipEdge} hands
 * it that transaction's responses and timeout. Implementations return at once.
 */
public interface TransactionCallback {
    void onResponse(ResponseEvent event);

    void onTimeout();

    /**
     * The stack could not send the request (connection refused or lost, TLS failure): the
     * transaction is over. Ignored by default (registration and probes have their own timers and
     * connection checks).
     */
    default void onTransportError() {
    }
}
