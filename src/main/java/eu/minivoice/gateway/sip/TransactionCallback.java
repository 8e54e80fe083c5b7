package eu.minivoice.gateway.sip;

import javax.sip.ResponseEvent;

/**
 * Attached to a client transaction we create (as its application data); {@link SipEdge} hands
 * it that transaction's responses and timeout. Implementations return at once.
 */
public interface TransactionCallback extends eu.minivoice.gateway.sip.transport.SendFailureListener {
    void onResponse(ResponseEvent event);

    void onTimeout();

    /**
     * The request could not be sent (connection refused or lost, connect timeout, TLS failure):
     * the transaction is over. Ignored by default.
     */
    default void onTransportError(String reason) {
    }

    @Override
    default void sendFailed(String reason) {
        onTransportError(reason);
    }
}
