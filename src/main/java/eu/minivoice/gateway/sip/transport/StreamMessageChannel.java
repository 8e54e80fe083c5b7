package eu.minivoice.gateway.sip.transport;

import eu.minivoice.gateway.sip.net.GatewayNetworkLayer;
import gov.nist.javax.sip.header.CSeq;
import gov.nist.javax.sip.header.CallID;
import gov.nist.javax.sip.header.ContentLength;
import gov.nist.javax.sip.header.From;
import gov.nist.javax.sip.header.RequestLine;
import gov.nist.javax.sip.header.StatusLine;
import gov.nist.javax.sip.header.To;
import gov.nist.javax.sip.header.Via;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.stack.ConnectionOrientedMessageChannel;
import gov.nist.javax.sip.stack.SIPClientTransaction;
import gov.nist.javax.sip.stack.SIPTransaction;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sip.address.Hop;
import javax.sip.message.Request;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * One TCP or TLS connection as the stack sees it. Sending never waits: an outgoing connection is
 * opened on first use and what is sent meanwhile waits in order for it; when the connect or a
 * later write fails, the client transaction of each request lost is told (the stack's
 * IOException event, on the workers in its call's lane) — the stack's own channels threw from
 * the sending thread instead, after blocking it for the whole connect.
 *
 * <p>Received messages are parsed and processed by {@link StreamTransport}'s workers, never on the
 * event loop; the stack's processing ({@code processMessage}) is inherited.
 */
final class StreamMessageChannel extends ConnectionOrientedMessageChannel {
    private static final Logger log = LoggerFactory.getLogger(StreamMessageChannel.class);
    private static final byte[] CRLF = "\r\n".getBytes(StandardCharsets.US_ASCII);

    private record Pending(byte[] bytes, SIPMessage message) {
    }

    private final StreamMessageProcessor processor;
    private final boolean accepted;
    /** The host we were asked to reach (TLS checks the certificate against it); null when accepted. */
    private final String host;
    private final String transport;
    /** Its key in the processor's table: the address key, plus the TLS name it proves (if any). */
    private final String mapKey;

    // Guarded by this.
    private Channel channel;
    private boolean connected;
    private boolean closed;
    private List<Pending> pending;

    /** A connection a peer opened to us. */
    StreamMessageChannel(StreamMessageProcessor processor, Channel channel, InetSocketAddress remote) {
        super(processor.getSIPStack());
        this.processor = processor;
        this.accepted = true;
        this.host = null;
        this.transport = processor.getTransport();
        this.channel = channel;
        this.connected = true;
        init(remote.getAddress(), remote.getPort());
        this.mapKey = getKey();
    }

    /** A connection we will open to a peer, when the first message is sent. */
    StreamMessageChannel(StreamMessageProcessor processor, InetAddress address, int port, String host, String mapKey) {
        super(processor.getSIPStack());
        this.processor = processor;
        this.accepted = false;
        this.host = host;
        this.transport = processor.getTransport();
        init(address, port);
        this.mapKey = mapKey;
    }

    String mapKey() {
        return mapKey;
    }

    private void init(InetAddress address, int port) {
        this.messageProcessor = processor;
        this.peerAddress = address;
        this.peerPort = port;
        this.peerProtocol = transport;
        this.myAddress = processor.getIpAddress().getHostAddress();
        this.myPort = processor.getPort();
        this.key = getKey(address, port, transport);
    }

    InetAddress getPeerInetAddressForTransport() {
        return peerAddress;
    }

    synchronized boolean isClosed() {
        return closed;
    }

    // ---- sending ----

    @Override
    public void sendMessage(SIPMessage message) throws IOException {
        sendMessage(message, peerAddress, peerPort);
    }

    /** How the stack's transactions send (to the peer they were created for: this connection). */
    @Override
    public void sendMessage(SIPMessage message, InetAddress address, int port) throws IOException {
        long time = System.currentTimeMillis();
        StreamMessageChannel via = to(address, port);
        if (via == this && message instanceof gov.nist.javax.sip.message.SIPResponse && reopenForResponses()) {
            via = processor.channelTo(peerAddress, peerPortAdvertisedInHeaders, peerAddress.getHostAddress());
        }
        via.send(message.encodeAsBytes(transport), message);
        message.setRemoteAddress(address);
        message.setRemotePort(port);
        message.setLocalAddress(processor.getIpAddress());
        message.setLocalPort(myPort);
        logMessage(message, address, port, time);
    }

    @Override
    public void sendMessage(SIPMessage message, Hop hop) throws IOException {
        sendMessage(message, InetAddress.getByName(hop.getHost()), hop.getPort());
    }

    /** The stack's own answers (400, 413, 505) to what this connection sent. */
    @Override
    protected void sendMessage(byte[] message, boolean isClient) throws IOException {
        send(message, null);
    }

    @Override
    public void sendMessage(byte[] message, InetAddress address, int port, boolean retry) throws IOException {
        to(address, port).send(message, null);
    }

    /**
     * RFC 3261 §18.2.2: a response whose request came on a connection the peer has closed since
     * goes over a new connection to the address it came from and the port its Via names
     * (sent-by; 5060 when absent). Only for connections the peer opened: ours stay ours.
     */
    private boolean reopenForResponses() {
        return accepted && isClosed() && peerPortAdvertisedInHeaders > 0;
    }

    /** This connection, or the one to another peer (a transaction keeps its channel; its target may differ). */
    private StreamMessageChannel to(InetAddress address, int port) throws IOException {
        return address.equals(peerAddress) && port == peerPort ? this
                : processor.channelTo(address, port, GatewayNetworkLayer.hostOf(address));
    }

    /**
     * Writes now when connected, else queues behind the connect (starting it). A request's loss
     * is reported to its transaction later; only a refused start (the connection cap) throws.
     */
    void send(byte[] bytes, SIPMessage message) throws IOException {
        Channel ch;
        synchronized (this) {
            if (closed) {
                throw new IOException(transport + " connection to " + peerAddress.getHostAddress() + ":" + peerPort
                        + " is closed");
            }
            if (!connected) {
                if (pending == null) {
                    ChannelFuture f = processor.connect(this, host); // throws with nothing started
                    pending = new ArrayList<>();
                    channel = f.channel();
                    f.addListener(done -> connectDone(done.isSuccess(), done.cause()));
                }
                pending.add(new Pending(bytes, message));
                return;
            }
            ch = channel;
        }
        write(ch, bytes, message);
    }

    private void write(Channel ch, byte[] bytes, SIPMessage message) {
        if (reportable(message)) {
            ch.writeAndFlush(Unpooled.wrappedBuffer(bytes)).addListener(f -> {
                if (!f.isSuccess()) {
                    lost(message, f.cause());
                }
            });
        } else {
            ch.writeAndFlush(Unpooled.wrappedBuffer(bytes), ch.voidPromise());
        }
    }

    /** Runs on the event loop: what waited for the connect is written (in order) or reported lost. */
    private void connectDone(boolean ok, Throwable cause) {
        List<Pending> waiting;
        synchronized (this) {
            waiting = pending == null ? List.of() : pending; // null: the connection closed first and reported them
            pending = null;
            if (ok && !closed) {
                connected = true;
                // Written under the lock, on the event loop, so nothing sent meanwhile overtakes them.
                for (Pending p : waiting) {
                    write(channel, p.bytes(), p.message());
                }
                return;
            }
            closed = true;
        }
        processor.forget(this);
        log.debug("{} connect to {}:{} failed: {}", transport, peerAddress.getHostAddress(), peerPort,
                cause == null ? "closed" : cause.toString());
        for (Pending p : waiting) {
            lost(p.message(), cause);
        }
    }

    private static boolean reportable(SIPMessage m) {
        return m instanceof SIPRequest r && !Request.ACK.equals(r.getMethod());
    }

    /**
     * Tells the request's client transaction that it was not sent, with the reason when its
     * application data listens ({@link SendFailureListener}), else as the stack's IOException event.
     */
    private void lost(SIPMessage message, Throwable cause) {
        if (!reportable(message)) {
            return;
        }
        String reason = reason(cause);
        String callId = message.getCallId() == null ? "" : message.getCallId().getCallId();
        processor.dispatch(new StreamTransport.Work(CallIdScanner.hash(callId), System.currentTimeMillis(), () -> {
            SIPTransaction tx = getSIPStack().findTransaction(message, false);
            if (!(tx instanceof SIPClientTransaction ct) || ct.isTerminated()) {
                return;
            }
            log.debug("{} {} to {}:{} not sent: {}", transport, ct.getMethod(), peerAddress.getHostAddress(), peerPort, reason);
            if (ct.getApplicationData() instanceof SendFailureListener listener) {
                ct.setState(javax.sip.TransactionState._TERMINATED);
                listener.sendFailed(reason);
            } else {
                ct.raiseIOExceptionEvent();
            }
        }));
    }

    /** Why a send failed, for a trunk's status or a call's attempt: the root cause's words. */
    private String reason(Throwable cause) {
        String where = transport + " " + peerAddress.getHostAddress() + ":" + peerPort;
        if (cause == null) {
            return "transport error: connection to " + where + " closed";
        }
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (cause instanceof io.netty.channel.ConnectTimeoutException) {
            return "transport error: no connection to " + where + " within the connect timeout";
        }
        if (root instanceof javax.net.ssl.SSLException || cause instanceof javax.net.ssl.SSLException) {
            return "transport error: TLS handshake with " + where + " failed: " + root.getMessage();
        }
        String m = root.getMessage();
        return "transport error: " + where + ": " + (m == null || m.isBlank() ? root.getClass().getSimpleName() : m);
    }

    // ---- receiving ----

    /** On a worker: parses one message cut from the stream and hands it to the stack. */
    void process(byte[] bytes) {
        SIPMessage message;
        try {
            message = getSIPStack().getMessageParserFactory().createMessageParser(getSIPStack())
                    .parseSIPMessage(bytes, true, false, this);
        } catch (ParseException e) {
            refuse(bytes, e);
            return;
        }
        if (message == null) {
            return;
        }
        try {
            processMessage(message);
        } catch (Exception e) {
            log.debug("{} message from {}:{} dropped: {}", transport, peerAddress.getHostAddress(), peerPort, e.toString());
        }
    }

    /** An unreadable request gets a 400 (as on UDP); an unreadable response or ACK is dropped. */
    private void refuse(byte[] bytes, ParseException e) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        log.debug("unreadable {} message from {}:{}: {}", transport, peerAddress.getHostAddress(), peerPort, e.getMessage());
        if (text.startsWith("SIP/") || text.startsWith("ACK ")) {
            return;
        }
        String answer = BadRequestAnswer.of(text);
        if (answer != null) {
            try {
                send(answer.getBytes(StandardCharsets.UTF_8), null);
            } catch (IOException closed) {
                // the peer has gone: nobody to tell
            }
        }
    }

    /** A ping from the peer (RFC 5626): answered with a pong. */
    void ping(Channel ch) {
        ch.writeAndFlush(Unpooled.wrappedBuffer(CRLF), ch.voidPromise());
    }

    /** The parser's question about a header it could not read: fatal for the headers a transaction needs. */
    @Override
    public void handleException(ParseException ex, SIPMessage message, Class hdrClass, String header, String text)
            throws ParseException {
        if (hdrClass != null && (hdrClass.equals(From.class) || hdrClass.equals(To.class) || hdrClass.equals(CSeq.class)
                || hdrClass.equals(Via.class) || hdrClass.equals(CallID.class) || hdrClass.equals(ContentLength.class)
                || hdrClass.equals(RequestLine.class) || hdrClass.equals(StatusLine.class))) {
            throw ex;
        }
        message.addUnparsed(header);
    }

    // ---- closing ----

    /** The Netty channel closed (either side): the stack will use a new connection next time. */
    void closedByTransport() {
        List<Pending> waiting;
        synchronized (this) {
            closed = true;
            waiting = pending;
            pending = null;
        }
        processor.forget(this);
        if (waiting != null) {
            for (Pending p : waiting) {
                lost(p.message(), null);
            }
        }
    }

    @Override
    protected void close(boolean removeSocket, boolean stopKeepAliveTask) {
        Channel ch;
        synchronized (this) {
            closed = true;
            ch = channel;
        }
        processor.forget(this);
        if (ch != null) {
            ch.close();
        }
    }

    @Override
    public String getTransport() {
        return transport;
    }

    @Override
    public boolean isSecure() {
        return processor.isSecure();
    }

    @Override
    public String toString() {
        return transport + (accepted ? " from " : " to ") + peerAddress.getHostAddress() + ":" + peerPort;
    }
}
