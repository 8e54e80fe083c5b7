package eu.minivoice.gateway.sip.transport;

/**
 * A client transaction's application data may be one: the transport tells it why its request
 * could not be sent (connection refused, connect timeout, TLS handshake failed, connection lost)
 * instead of raising the stack's reason-less IOException event.
 */
public interface SendFailureListener {
    /** Called once, on a SIP worker; the transaction is over. */
    void sendFailed(String reason);
}
