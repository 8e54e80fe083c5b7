package eu.minivoice.gateway.sip.relay;

import javax.sip.SipFactory;
import javax.sip.address.AddressFactory;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.message.Message;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The relay's world, by hand: the clock moves when a test says so, timers fire when they fall
 * due, and every message the relay sends is recorded on the fake leg it went to. Messages are
 * real JAIN-SIP messages made by the real factories (they need no stack).
 */
final class FakeRelayContext implements RelayContext {
    static final String INTERNAL_HOST = "10.0.0.1";
    static final String EXTERNAL_HOST = "192.0.2.1";
    static final int INTERNAL_PORT = 5080;
    static final int EXTERNAL_PORT = 5060;

    private final MessageFactory messages;
    private final HeaderFactory headers;
    private final AddressFactory addresses;
    private Instant now = Instant.parse("2026-12-02T10:00:00Z");
    private long nanos;
    private int ids;
    private final List<Timer> timers = new ArrayList<>();
    /** Every INVITE the relay sent, in order. */
    final List<SentInvite> invites = new ArrayList<>();
    /** Hosts whose sends fail in the connect gate, with the reason. */
    final Map<String, String> unreachable = new HashMap<>();
    /** Sends waiting for a connection (the gate's threads), run by {@link #connect()}. */
    final List<Runnable> waitingForConnection = new ArrayList<>();
    /** Hosts whose sends wait for {@link #connect()} instead of going at once. */
    final List<String> slowHosts = new ArrayList<>();

    FakeRelayContext() {
        try {
            SipFactory f = SipFactory.getInstance();
            f.setPathName("gov.nist");
            messages = f.createMessageFactory();
            headers = f.createHeaderFactory();
            addresses = f.createAddressFactory();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class Timer {
        final Instant due;
        final Runnable task;
        boolean cancelled;

        Timer(Instant due, Runnable task) {
            this.due = due;
            this.task = task;
        }
    }

    @Override
    public Instant now() {
        return now;
    }

    @Override
    public long nanoTime() {
        return nanos;
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        Timer t = new Timer(now.plus(delay), task);
        timers.add(t);
        return () -> t.cancelled = true;
    }

    /** Moves the clock on, firing the timers that fall due, in order. */
    void elapse(Duration d) {
        Instant until = now.plus(d);
        while (true) {
            Timer next = timers.stream().filter(t -> !t.cancelled && !t.due.isAfter(until))
                    .min((a, b) -> a.due.compareTo(b.due)).orElse(null);
            if (next == null) {
                break;
            }
            timers.remove(next);
            nanos += Duration.between(now, next.due).toNanos();
            now = next.due;
            next.task.run();
        }
        nanos += Duration.between(now, until).toNanos();
        now = until;
    }

    /** Timers set and not cancelled (a call that ended must leave none behind). */
    long pendingTimers() {
        return timers.stream().filter(t -> !t.cancelled).count();
    }

    @Override
    public MessageFactory messages() {
        return messages;
    }

    @Override
    public HeaderFactory headers() {
        return headers;
    }

    @Override
    public AddressFactory addresses() {
        return addresses;
    }

    @Override
    public Local local(boolean internal, String transport, boolean ipv6) {
        return internal ? new Local(INTERNAL_HOST, INTERNAL_PORT) : new Local(EXTERNAL_HOST, EXTERNAL_PORT);
    }

    @Override
    public CallIdHeader newCallId(boolean internal) {
        try {
            return headers.createCallIdHeader("leg-" + (++ids) + (internal ? "@internal" : "@external"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public InviteWire sendInvite(boolean internal, Request invite, Answers answers) {
        SentInvite sent = new SentInvite(internal, invite, answers, new FakeDialog(this, invite));
        invites.add(sent);
        return sent;
    }

    /** Sent to a located server: recorded like any INVITE of the carrier side, with where it went. */
    @Override
    public InviteWire sendInvite(Request invite, Answers answers, eu.minivoice.gateway.domain.SipTarget server,
                                 String proxyHost) {
        servers.add(server);
        return sendInvite(false, invite, answers);
    }

    /** The servers INVITEs went to, in order. */
    public final List<eu.minivoice.gateway.domain.SipTarget> servers = new java.util.ArrayList<>();

    /** Proxies given as names and their servers (RFC 3263); a literal leads to itself. */
    public final Map<String, List<eu.minivoice.gateway.domain.SipTarget>> located = new java.util.HashMap<>();

    @Override
    public java.util.concurrent.CompletableFuture<List<eu.minivoice.gateway.domain.SipTarget>> locate(
            eu.minivoice.gateway.domain.ProxyAddress proxy) {
        java.net.InetAddress literal = eu.minivoice.gateway.domain.IpRange.literalAddress(proxy.host());
        if (literal != null) {
            return java.util.concurrent.CompletableFuture.completedFuture(List.of(
                    new eu.minivoice.gateway.domain.SipTarget(literal, proxy.effectivePort(), proxy.transport())));
        }
        List<eu.minivoice.gateway.domain.SipTarget> servers = located.get(proxy.host());
        return servers == null ? java.util.concurrent.CompletableFuture.failedFuture(
                new java.net.UnknownHostException("no SIP server found for " + proxy.host()))
                : java.util.concurrent.CompletableFuture.completedFuture(servers);
    }

    @Override
    public void whenReachable(String customerId, String transport, String host, int port, Send send,
                              Consumer<String> failed) {
        Runnable attempt = () -> {
            if (unreachable.containsKey(host)) {
                failed.accept(unreachable.get(host));
                return;
            }
            try {
                send.run();
            } catch (Exception e) {
                failed.accept(e.toString());
            }
        };
        if (slowHosts.contains(host)) {
            waitingForConnection.add(attempt);
        } else {
            attempt.run();
        }
    }

    /** The gate's threads get their connections. */
    void connect() {
        List<Runnable> now = new ArrayList<>(waitingForConnection);
        waitingForConnection.clear();
        now.forEach(Runnable::run);
    }

    SentInvite lastInvite() {
        return invites.get(invites.size() - 1);
    }

    Response response(Request request, int code) {
        try {
            Response r = messages.createResponse(code, request);
            if (code > 100) {
                ((javax.sip.header.ToHeader) r.getHeader("To")).setTag("callee-tag");
            }
            return r;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @FunctionalInterface
    interface ThrowingConsumer<T> {
        void accept(T t) throws Exception;
    }

    /** An INVITE the relay sent: answer it as the callee would. */
    final class SentInvite implements InviteWire {
        final boolean internal;
        final Request request;
        final Answers answers;
        final FakeDialog dialog;
        boolean canceled;
        boolean abandoned;

        SentInvite(boolean internal, Request request, Answers answers, FakeDialog dialog) {
            this.internal = internal;
            this.request = request;
            this.answers = answers;
            this.dialog = dialog;
        }

        @Override
        public DialogWire dialog() {
            return dialog;
        }

        @Override
        public void cancel() {
            canceled = true;
        }

        @Override
        public void abandon() {
            abandoned = true;
        }

        /** The callee answers {@code code}, from {@code remoteIp}. */
        Response answer(int code, String remoteIp) {
            return answer(code, remoteIp, r -> { });
        }

        Response answer(int code, String remoteIp, ThrowingConsumer<Response> decorate) {
            Response r = response(request, code);
            try {
                decorate.accept(r);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            answers.onResponse(new Answer(r, dialog, remoteIp));
            return r;
        }

        Response answer(int code) {
            return answer(code, "203.0.113.10");
        }

        String host() {
            return ((javax.sip.address.SipURI) request.getRequestURI()).getHost();
        }

        /** The Call-ID of the leg this INVITE started. */
        String callId() {
            return ((javax.sip.header.CallIdHeader) request.getHeader("Call-ID")).getCallId();
        }
    }

    /** One leg's dialog: records what the relay sends in it. */
    static final class FakeDialog implements DialogWire {
        private final FakeRelayContext ctx;
        private final Request invite;
        private long cseq = 1;
        /** In-dialog requests the relay sent, with where their answers go. */
        final List<Request> sent = new ArrayList<>();
        final List<Answers> sentAnswers = new ArrayList<>();
        final List<Long> acks = new ArrayList<>();
        /** The body of each ACK ("" when none). */
        final List<String> ackBodies = new ArrayList<>();
        final List<Response> pracked = new ArrayList<>();

        FakeDialog(FakeRelayContext ctx, Request invite) {
            this.ctx = ctx;
            this.invite = invite;
        }

        @Override
        public Request newRequest(String method) throws Exception {
            Request r = (Request) invite.clone();
            r.setMethod(method);
            ((CSeqHeader) r.getHeader(CSeqHeader.NAME)).setMethod(method);
            ((CSeqHeader) r.getHeader(CSeqHeader.NAME)).setSeqNumber(++cseq);
            r.removeContent();
            return r;
        }

        /** Sends in this dialog fail, as JAIN-SIP's do on a dialog it never confirmed. */
        boolean broken;

        @Override
        public void send(Request request, Answers answers) throws Exception {
            if (broken) {
                throw new javax.sip.SipException("Dialog not yet established -- no response!");
            }
            sent.add(request);
            sentAnswers.add(answers);
        }

        @Override
        public void ack(long cseq, Message bodyFrom) {
            acks.add(cseq);
            byte[] body = bodyFrom == null ? null : bodyFrom.getRawContent();
            ackBodies.add(body == null ? "" : new String(body, java.nio.charset.StandardCharsets.UTF_8));
        }

        @Override
        public void prack(Response reliable) {
            pracked.add(reliable);
        }

        List<String> methods() {
            return sent.stream().map(Request::getMethod).toList();
        }
    }

    /** A request the relay received: records its answers. */
    static final class FakeServerWire implements ServerWire {
        final List<Response> responses = new ArrayList<>();
        final FakeDialog dialog;
        boolean opened;

        FakeServerWire(FakeRelayContext ctx, Request request) {
            this.dialog = new FakeDialog(ctx, request);
        }

        @Override
        public void respond(Response response) {
            responses.add(response);
        }

        @Override
        public void open() {
            opened = true;
        }

        @Override
        public DialogWire dialog() {
            return dialog;
        }

        List<Integer> codes() {
            return responses.stream().map(Response::getStatusCode).toList();
        }

        Response last() {
            return responses.get(responses.size() - 1);
        }
    }
}
