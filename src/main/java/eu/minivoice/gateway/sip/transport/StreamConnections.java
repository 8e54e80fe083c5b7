package eu.minivoice.gateway.sip.transport;

/** What the rest of the gateway may ask a TCP or TLS listening point about its connections. */
public interface StreamConnections {
    /** Whether a connection to (or from) {@code ip:port} is open now. */
    boolean open(String ip, int port);

    /** Runs {@code listener} (on an event loop: it must return at once) whenever a connection closes. */
    void onClose(Runnable listener);
}
