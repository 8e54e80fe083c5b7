package eu.minivoice.gateway.sip.transport;

/** What the rest of the gateway may ask a TCP or TLS listening point about its connections. */
public interface StreamConnections {
    /**
     * Whether a connection to (or from) {@code ip:port} is open now; {@code tlsName}: the TLS
     * connection made to prove that name (null: the one by address).
     */
    boolean open(String ip, int port, String tlsName);

    /** Runs {@code listener} (on an event loop: it must return at once) whenever a connection closes. */
    void onClose(Runnable listener);
}
