package eu.minivoice.gateway.sip.relay;

import eu.minivoice.gateway.domain.ProxyAddress;
import eu.minivoice.gateway.domain.SipTarget;

import javax.sip.address.AddressFactory;
import javax.sip.header.CallIdHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.message.Message;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Everything the relay does to the world goes through here: the clock, timers, the message
 * factories, and the few SIP operations it needs (answer a request, send an INVITE, send in a
 * dialog, CANCEL). {@link JainSipRelayContext} implements it on the JAIN-SIP stack; the unit
 * tests implement it by hand, record what is sent and fire timers themselves. Messages stay
 * JAIN-SIP {@link Request}/{@link Response} objects: the factories need no stack.
 */
interface RelayContext {
    Instant now();

    /** For attempt latencies (monotonic). */
    long nanoTime();

    Cancellable schedule(Duration delay, Runnable task);

    MessageFactory messages();

    HeaderFactory headers();

    AddressFactory addresses();

    /** Our host and port on a side for a transport (Via, Contact, loop detection), for peers of that family. */
    Local local(boolean internal, String transport, boolean ipv6);

    /** Whether a SIP host (a URI's or Via's: a name, an IPv4 or an IPv6 literal, bracketed or not) is IPv6. */
    static boolean ipv6(String host) {
        return host != null && host.contains(":");
    }

    CallIdHeader newCallId(boolean internal);

    /** Sends a new INVITE on a side (a callee leg); what comes back goes to {@code answers}. */
    InviteWire sendInvite(boolean internal, Request invite, Answers answers) throws Exception;

    /**
     * Sends a new INVITE on the carrier side to one located server of a trunk's proxy, while its
     * Request-URI and Route keep {@code proxyHost} (over TLS the certificate must name it).
     */
    InviteWire sendInvite(Request invite, Answers answers, SipTarget server, String proxyHost) throws Exception;

    /**
     * The servers a trunk's proxy leads to (RFC 3263: NAPTR, SRV, A/AAAA; a literal as it is), in
     * the order to try them. Never waits: completes later, off the SIP threads, or at once.
     */
    CompletableFuture<List<SipTarget>> locate(ProxyAddress proxy);

    /**
     * Runs {@code send} once the destination can be sent to without a shared thread waiting on it
     * (a new TCP/TLS connection, a name): at once, or later on other threads; or {@code failed}
     * with a reason when it cannot be reached (docs/security.md, rule 4).
     */
    void whenReachable(String customerId, String transport, String host, int port, Send send,
                       Consumer<String> failed);

    /** A send that may fail (its exception becomes the failure's reason). */
    @FunctionalInterface
    interface Send {
        void run() throws Exception;
    }

    interface Cancellable {
        void cancel();
    }

    record Local(String host, int port) {
    }

    /** A request we received: its answers go to its server transaction, made when first needed. */
    interface ServerWire {
        void respond(Response response) throws Exception;

        /** Makes the transaction now, so retransmissions are absorbed while the request waits. */
        void open() throws Exception;

        /** The dialog this (INVITE) request starts, on our side. */
        DialogWire dialog() throws Exception;
    }

    /** One leg's dialog. */
    interface DialogWire {
        Request newRequest(String method) throws Exception;

        /** Sends an in-dialog request; its answers go to {@code answers} (null: not interested). */
        void send(Request request, Answers answers) throws Exception;

        /** The ACK for the 2xx of the INVITE with this CSeq, with the body of {@code bodyFrom} (late offer) if any. */
        void ack(long cseq, Message bodyFrom) throws Exception;

        /** PRACK for a reliable provisional (100rel ends on the callee leg, docs/relay.md). */
        void prack(Response reliable) throws Exception;
    }

    /** An INVITE we sent (its client transaction). */
    interface InviteWire {
        DialogWire dialog();

        /** CANCEL it (only after a provisional answer, RFC 3261 §9.1). */
        void cancel() throws Exception;

        /** Stop retransmitting it (no answer wanted any more). */
        void abandon();
    }

    /** What comes back for a request we sent. Called on stack threads; implementations return at once. */
    interface Answers {
        void onResponse(Answer answer);

        void onTimeout();

        /** Connection refused or lost, TLS failure: the transaction is over. */
        default void onTransportError() {
        }
    }

    /**
     * @param dialog   the dialog the answer belongs to, when the stack has one
     * @param remoteIp the address it came from (numeric), when known
     */
    record Answer(Response response, DialogWire dialog, String remoteIp) {
    }

    /** A request that arrived: in-dialog, CANCEL or ACK, or a new INVITE. */
    record Incoming(Request request, boolean internal, ServerWire tx) {
    }
}
