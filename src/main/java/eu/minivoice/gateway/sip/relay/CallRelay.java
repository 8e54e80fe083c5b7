package eu.minivoice.gateway.sip.relay;

import eu.minivoice.gateway.actions.Action;
import eu.minivoice.gateway.actions.ActionFetcher;
import eu.minivoice.gateway.actions.ActionRequest;
import eu.minivoice.gateway.domain.AddressPolicy;
import eu.minivoice.gateway.domain.ErrorCode;
import eu.minivoice.gateway.domain.ProxyAddress;
import eu.minivoice.gateway.routing.InboundMatch;
import eu.minivoice.gateway.domain.IdGenerator;
import eu.minivoice.gateway.domain.Trunk;
import eu.minivoice.gateway.routing.OutboundDecision;
import eu.minivoice.gateway.routing.OutboundRouter;
import eu.minivoice.gateway.sip.CallHandler;
import eu.minivoice.gateway.sip.SipServer;
import eu.minivoice.gateway.sip.TransactionCallback;
import gov.nist.javax.sip.ResponseEventExt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipProvider;
import javax.sip.address.Address;
import javax.sip.address.SipURI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.Header;
import javax.sip.header.MaxForwardsHeader;
import javax.sip.header.RequireHeader;
import javax.sip.header.RSeqHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The signalling-only B2BUA for both directions, one core: a call has a caller leg (the INVITE we
 * received, and its dialog) and a callee leg (the attempt we are making). Outbound (DESIGN §4):
 * a trusted platform INVITE on the internal side → checks and trunk selection → a new INVITE to a
 * trunk's proxy, with failover. Inbound (DESIGN §5/§6): a carrier INVITE matched by InboundGate →
 * the application's actions → a forward to the platform (hunt) or a dial out through a trunk.
 * Answers, ACK, BYE, CANCEL, PRACK and in-dialog requests are carried across the legs the same way
 * in both directions. Everything runs on the thread that delivered the message (a SIP thread, a
 * timer, or the HTTP client when the application answers), under the call's monitor; nothing here
 * waits on I/O (routing is in memory, events and records go to non-blocking writers).
 */
public final class CallRelay implements CallHandler {
    private static final Logger log = LoggerFactory.getLogger(CallRelay.class);
    public static final String CUSTOMER_HEADER = "X-MiniVoice-Customer-Id";
    public static final String TRUNK_HEADER = "X-MiniVoice-Trunk";
    public static final String CALL_ID_HEADER = "X-MiniVoice-Call-Id";
    public static final String ERROR_HEADER = "X-MiniVoice-Error";
    /** On the platform leg of an inbound call: the trunk it came in on, and the dialled number. */
    public static final String TRUNK_ID_HEADER = "X-MiniVoice-Trunk-Id";
    public static final String DIALLED_HEADER = "X-MiniVoice-Dialled-Number";
    /** A platform-chosen call id (DESIGN §4): our own id format, so ids stay uniform in the API. */
    static final java.util.regex.Pattern OWN_CALL_ID = java.util.regex.Pattern.compile("call_[A-Za-z0-9_-]{8,64}");
    /** Header section of a platform INVITE above this → 513 (real ones are 1-2 KB; none is copied). */
    static final int MAX_HEADER_BYTES = 8192;
    /** How long an in-dialog request waits for the ACK it overtook (the ACK is normally < 1 ms behind). */
    static final long ACK_WAIT_MS = 500;

    private final SipServer sip;
    private final OutboundRouter router;
    private final CallObserver observer;
    private final IdGenerator ids;
    private final Supplier<String> tokens;
    private final Clock clock;
    private final ScheduledExecutorService timers;
    private final java.time.Duration inviteTimeout;
    private final java.time.Duration maxCall;
    private final ActionFetcher actions;
    /** Trunk id → the numeric addresses of its proxy, kept current off the SIP threads. */
    private final java.util.function.Function<String, Set<String>> proxyAddresses;
    /** A trunk proxy whose name now resolves to a private address is not called (docs/security.md). */
    private final AddressPolicy targets;
    /** Callee INVITEs that may wait on the peer (a new TCP/TLS connection, a name) run off shared threads. */
    private final eu.minivoice.gateway.sip.net.ConnectGate connectGate;
    private final Map<String, RelayCall> byCallerCallId = new ConcurrentHashMap<>();
    private final Map<String, RelayCall> byCalleeCallId = new ConcurrentHashMap<>();
    /** Calls in progress by MiniVoice call id (a platform-chosen id must not be in use). */
    private final Map<String, RelayCall> byId = new ConcurrentHashMap<>();
    /** Builds the requests of the callee legs (trunk INVITEs, forward INVITEs, credentials). */
    private final LegRequests requests;

    /**
     * @param timers        runs the per-attempt silence timeout and the maximum call duration (one
     *                      thread is plenty: the tasks only take the call's monitor and send)
     * @param inviteTimeout a carrier silent this long (not even 100 Trying) is failed over
     * @param maxCall       an answered call is hung up on both legs after this long
     */
    public CallRelay(SipServer sip, OutboundRouter router, CallObserver observer, IdGenerator ids,
                         Supplier<String> tokens, Clock clock, ScheduledExecutorService timers,
                         java.time.Duration inviteTimeout, java.time.Duration maxCall, ActionFetcher actions,
                         java.util.function.Function<String, Set<String>> proxyAddresses, AddressPolicy targets,
                         eu.minivoice.gateway.sip.net.ConnectGate connectGate) {
        this.connectGate = connectGate;
        this.targets = targets;
        this.sip = sip;
        this.router = router;
        this.observer = observer;
        this.ids = ids;
        this.tokens = tokens;
        this.clock = clock;
        this.timers = timers;
        this.inviteTimeout = inviteTimeout;
        this.maxCall = maxCall;
        this.actions = actions;
        this.proxyAddresses = proxyAddresses;
        this.requests = new LegRequests(sip, tokens);
    }

    public int activeCalls() {
        return byCallerCallId.size();
    }

    // ---------------------------------------------------------------- platform → gateway

    /** A new INVITE (no To tag) from a trusted platform source. */
    @Override
    public void onPlatformInvite(RequestEvent event) throws Exception {
        Request invite = event.getRequest();
        SipProvider internal = (SipProvider) event.getSource();
        ServerTransaction tx = event.getServerTransaction() != null ? event.getServerTransaction()
                : internal.getNewServerTransaction(invite);
        String ownId = header(invite, CALL_ID_HEADER);
        boolean ownIdValid = ownId == null || OWN_CALL_ID.matcher(ownId).matches();
        String callId = ownId != null && ownIdValid ? ownId
                : ids.newOrderedId("call"); // time-ordered: records append to the index
        RelayCall call = new RelayCall(callId, header(invite, CUSTOMER_HEADER), invite, tx, tokens.get(),
                user(((FromHeader) invite.getHeader(FromHeader.NAME)).getAddress()), user(invite.getRequestURI()),
                clock.instant());
        Response trying = sip.messageFactory().createResponse(Response.TRYING, invite);
        trying.addHeader(sip.headerFactory().createHeader(CALL_ID_HEADER, callId));
        tx.sendResponse(trying);
        if (refusedBeforeRouting(call, invite, ownIdValid)) {
            return;
        }
        OutboundDecision decision = router.decide(call.customerId, header(invite, TRUNK_HEADER), call.to, call.from);
        if (decision instanceof OutboundDecision.Rejected r) {
            reject(call, r.sipStatus(), r.code().code(), r.message(), r.retryAfterSeconds());
            return;
        }
        OutboundDecision.Routed routed = (OutboundDecision.Routed) decision;
        synchronized (call) {
            if (byId.putIfAbsent(call.id, call) != null) {
                // The same MiniVoice call entering twice at once is a loop (or a confused platform).
                router.released(call.customerId);
                reject(call, Response.LOOP_DETECTED, ErrorCode.DUPLICATE_CALL_ID.code(), "call " + call.id + " is already in progress",
                        null);
                return;
            }
            call.customerSlot = true;
            call.trunks = routed.trunks();
            call.applicationId = routed.trunks().get(0).spec().applicationId();
            call.callerDialog = internal.getNewDialog(tx);
            byCallerCallId.put(call.callerCallId, call);
            observer.callEvent("call.initiated", call.info("initiated"), call.variables, Map.of());
            observer.recordChanged(call.record());
            nextAttempt(call, null, null);
        }
    }

    /**
     * Checks of the INVITE itself, before any routing (nothing reaches a carrier when one fails).
     * The stack already answers 400 to a request without Via, From, To, Call-ID, CSeq, Max-Forwards
     * or (INVITE) Contact; these are the gateway's own rules. @return true when refused
     */
    private boolean refusedBeforeRouting(RelayCall call, Request invite, boolean ownIdValid) throws Exception {
        MaxForwardsHeader mf = (MaxForwardsHeader) invite.getHeader(MaxForwardsHeader.NAME);
        if (mf != null && mf.getMaxForwards() <= 0) {
            reject(call, 483, ErrorCode.TOO_MANY_HOPS.code(), "Max-Forwards reached 0", null);
            return true;
        }
        if (sentByUs(invite)) {
            reject(call, Response.LOOP_DETECTED, ErrorCode.LOOP_DETECTED.code(), "the INVITE already passed this gateway", null);
            return true;
        }
        if (invite instanceof gov.nist.javax.sip.message.SIPMessage m && m.getSize() > MAX_HEADER_BYTES) {
            reject(call, Response.MESSAGE_TOO_LARGE, ErrorCode.MESSAGE_TOO_LARGE.code(),
                    "the INVITE's headers exceed " + MAX_HEADER_BYTES + " bytes", null);
            return true;
        }
        if (!ownIdValid) {
            reject(call, Response.BAD_REQUEST, ErrorCode.INVALID_CALL_ID.code(), CALL_ID_HEADER
                    + " must be call_ followed by 8-64 letters, digits, '_' or '-'", null);
            return true;
        }
        if (((FromHeader) invite.getHeader(FromHeader.NAME)).getTag() == null) {
            reject(call, Response.BAD_REQUEST, ErrorCode.INVALID_REQUEST.code(), "the From header has no tag", null);
            return true;
        }
        List<String> unsupported = requiredOptions(invite);
        if (!unsupported.isEmpty()) {
            // Nothing is required of the platform leg: provisionals go to it unreliably (100rel is
            // terminated on the carrier leg, docs/relay.md), and there are no session timers.
            reject(call, Response.BAD_EXTENSION, ErrorCode.UNSUPPORTED_EXTENSION.code(), "unsupported: "
                    + String.join(", ", unsupported), null, r -> {
                        for (String tag : unsupported) {
                            r.addHeader(sip.headerFactory().createUnsupportedHeader(tag));
                        }
                    });
            return true;
        }
        ContentTypeHeader type = (ContentTypeHeader) invite.getHeader(ContentTypeHeader.NAME);
        byte[] body = invite.getRawContent();
        if (body != null && body.length > 0 && (type == null || !type.getContentType().equalsIgnoreCase("application")
                || !type.getContentSubType().equalsIgnoreCase("sdp"))) {
            // Only an SDP offer (or none) is relayed; anything else would reach the carrier unchecked.
            reject(call, 415, ErrorCode.UNSUPPORTED_MEDIA_TYPE.code(), "the INVITE body must be application/sdp", null);
            return true;
        }
        if (!hasCustomer(call)) {
            reject(call, 403, ErrorCode.UNAUTHORIZED.code(), CUSTOMER_HEADER + " is required", null);
            return true;
        }
        return false;
    }

    private static List<String> requiredOptions(Request invite) {
        List<String> out = new ArrayList<>();
        for (ListIterator<?> it = invite.getHeaders(RequireHeader.NAME); it.hasNext(); ) {
            out.add(((RequireHeader) it.next()).getOptionTag());
        }
        return out;
    }

    /** A Via of ours in a new INVITE: it went out through this gateway and came back. */
    private boolean sentByUs(Request invite) {
        String host = sip.config().advertisedAddress();
        String internalHost = sip.config().advertisedAddress(true);
        for (ListIterator<?> it = invite.getHeaders(ViaHeader.NAME); it.hasNext(); ) {
            ViaHeader via = (ViaHeader) it.next();
            if ((host.equalsIgnoreCase(via.getHost()) || internalHost.equalsIgnoreCase(via.getHost()))
                    && (via.getPort() == sip.config().internalPort()
                    || via.getPort() == sip.externalPort(via.getTransport().toLowerCase(java.util.Locale.ROOT)))) {
                return true;
            }
        }
        return false;
    }

    /** An in-dialog request, a CANCEL or an ACK. @return false when it belongs to no relayed call */
    @Override
    public boolean onRequest(RequestEvent event, boolean fromInternal) throws Exception {
        Request req = event.getRequest();
        String callId = ((CallIdHeader) req.getHeader(CallIdHeader.NAME)).getCallId();
        // The caller leg is on the internal side for outbound calls, on the external one for inbound.
        RelayCall call = byCallerCallId.get(callId);
        boolean fromCaller = call != null && call.callerInternal == fromInternal;
        if (!fromCaller) {
            call = byCalleeCallId.get(callId);
            if (call == null || call.callerInternal == fromInternal) {
                return false;
            }
        }
        synchronized (call) {
            if (!Request.ACK.equals(req.getMethod()) && !Request.CANCEL.equals(req.getMethod())
                    && (fromCaller ? call.callerAckPending : call.calleeAckPending)) {
                // The stack hands one dialog's messages to several threads: this request may have
                // overtaken the ACK its sender sent first. Hold it (its transaction absorbs
                // retransmissions) until that ACK is relayed, or for ACK_WAIT at most.
                ServerTransaction st = serverTx(event);
                call.deferred.add(new RelayCall.Deferred(event, fromCaller, st));
                if (call.deferTimer == null) {
                    RelayCall held = call;
                    call.deferTimer = timers.schedule(() -> runDeferred(held), ACK_WAIT_MS, TimeUnit.MILLISECONDS);
                }
                return true;
            }
            handleInDialog(call, event, fromCaller, null);
            if (Request.ACK.equals(req.getMethod())) {
                runDeferredLocked(call);
            }
        }
        return true;
    }

    /** Requests held for an overtaken ACK, in arrival order (the ACK came, or ACK_WAIT passed). */
    private void runDeferred(RelayCall call) {
        synchronized (call) {
            call.callerAckPending = false; // the ACK is lost or late: do not hold the dialog any longer
            call.calleeAckPending = false;
            runDeferredLocked(call);
        }
    }

    private void runDeferredLocked(RelayCall call) {
        cancelTimer(call.deferTimer);
        call.deferTimer = null;
        while (!call.deferred.isEmpty()) {
            RelayCall.Deferred d = call.deferred.remove(0);
            try {
                handleInDialog(call, d.event(), d.fromCaller(), d.tx());
            } catch (Exception e) {
                log.warn("call {}: a held {} failed: {}", call.id, d.event().getRequest().getMethod(), e.toString());
            }
        }
    }

    private void handleInDialog(RelayCall call, RequestEvent event, boolean fromCaller, ServerTransaction st)
            throws Exception {
        Request req = event.getRequest();
        switch (req.getMethod()) {
            case Request.ACK -> {
                // The ACK for a 2xx (the first INVITE or a re-INVITE) goes on to the other leg,
                // with its body (late offer).
                if (fromCaller) {
                    call.callerAckPending = false;
                } else {
                    call.calleeAckPending = false;
                }
                if (call.state == CallState.ANSWERED) {
                    Dialog other = fromCaller ? call.calleeDialog : call.callerDialog;
                    long cseq = fromCaller ? call.calleeInviteCseq : call.callerInviteCseq;
                    if (other != null && cseq > 0) {
                        Request ack = other.createAck(cseq);
                        LegRequests.copyBody(req, ack);
                        other.sendAck(ack);
                    }
                }
            }
            case Request.CANCEL -> {
                answer(event, st, Response.OK);
                if (fromCaller) {
                    cancelFromPlatform(call);
                }
            }
            case Request.BYE -> {
                answer(event, st, Response.OK);
                hangUp(call, fromCaller ? HangUp.CALLER : HangUp.CALLEE);
            }
            default -> relayInDialog(call, event, fromCaller, st);
        }
    }

    /**
     * re-INVITE, UPDATE, INFO (and other in-dialog requests) of an answered call: sent on the other
     * leg's dialog with the body; its final answer comes back to the sender. A re-INVITE's 2xx is
     * ACKed end to end (see the ACK case).
     */
    private void relayInDialog(RelayCall call, RequestEvent event, boolean fromCaller, ServerTransaction held)
            throws Exception {
        Request req = event.getRequest();
        if (call.state != CallState.ANSWERED) {
            answer(event, held, req.getMethod().equals(Request.INVITE) ? Response.REQUEST_PENDING
                    : Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST);
            return;
        }
        ServerTransaction st = held != null ? held : serverTx(event);
        Dialog other = fromCaller ? call.calleeDialog : call.callerDialog;
        SipProvider otherProvider = fromCaller ? calleeProvider(call) : callerProvider(call);
        Request out = other.createRequest(req.getMethod());
        LegRequests.copyBody(req, out);
        ClientTransaction ct = otherProvider.getNewClientTransaction(out);
        ct.setApplicationData(new TransactionCallback() {
            @Override
            public void onResponse(ResponseEvent e) {
                synchronized (call) {
                    try {
                        Response resp = e.getResponse();
                        if (resp.getStatusCode() < 200) {
                            return;
                        }
                        if (req.getMethod().equals(Request.INVITE) && resp.getStatusCode() < 300) {
                            long cseq = ((CSeqHeader) out.getHeader(CSeqHeader.NAME)).getSeqNumber();
                            if (fromCaller) {
                                call.calleeInviteCseq = cseq;
                                call.callerAckPending = true;
                            } else {
                                call.callerInviteCseq = cseq;
                                call.calleeAckPending = true;
                            }
                        }
                        Response back = sip.messageFactory().createResponse(resp.getStatusCode(), req);
                        back.setReasonPhrase(resp.getReasonPhrase());
                        LegRequests.copyBody(resp, back);
                        if (resp.getStatusCode() < 300) {
                            contact(back, (fromCaller ? call.callerInternal : call.calleeInternal) ? "internal" : "external",
                                    ((ViaHeader) req.getHeader(ViaHeader.NAME)).getTransport());
                        }
                        st.sendResponse(back);
                    } catch (Exception ex) {
                        log.warn("call {}: relaying an in-dialog answer failed: {}", call.id, ex.toString());
                    }
                }
            }

            @Override
            public void onTimeout() {
                synchronized (call) {
                    try {
                        st.sendResponse(sip.messageFactory().createResponse(Response.REQUEST_TIMEOUT, req));
                    } catch (Exception ex) {
                        log.debug("call {}: 408 for an in-dialog request not sent: {}", call.id, ex.toString());
                    }
                }
            }
        });
        other.sendRequest(ct);
    }

    /** Our Contact on the given side, for answers that establish or refresh a dialog. */
    private void contact(javax.sip.message.Message m, String side, String transport) throws Exception {
        SipURI uri = sip.addressFactory().createSipURI("mv", sip.config().advertisedAddress(side.equals("internal")));
        uri.setPort(side.equals("internal") ? sip.config().internalPort()
                : sip.externalPort(transport.toLowerCase(java.util.Locale.ROOT)));
        uri.setTransportParam(transport.toLowerCase(java.util.Locale.ROOT));
        m.setHeader(sip.headerFactory().createContactHeader(sip.addressFactory().createAddress(uri)));
    }

    private void cancelFromPlatform(RelayCall call) throws Exception {
        if (call.state == CallState.ANSWERED || call.state == CallState.ENDED) {
            return; // too late: the 200 crossed the CANCEL; the platform will BYE
        }
        Response terminated = sip.messageFactory().createResponse(Response.REQUEST_TERMINATED, call.callerInvite);
        sendFinalToPlatform(call, terminated);
        if (call.calleeTx != null) {
            if (call.provisional) {
                sendCancel(call);
            } else {
                call.cancelPending = true; // RFC 3261 §9.1: CANCEL only after a provisional answer
            }
        }
        call.state = CallState.CANCELLING;
        end(call, "call.failed", Map.of("reason", "canceled", "sip_code", 487, "attempts", call.attemptsJson()));
        byCallerCallId.remove(call.callerCallId);
    }

    private static void cancelTimer(java.util.concurrent.ScheduledFuture<?> t) {
        if (t != null) {
            t.cancel(false);
        }
    }

    /** A 2xx of an attempt we gave up on (CANCEL crossed it, or the hunt moved on): ACK and BYE it. */
    private void endStrayAnswer(ResponseEvent event) {
        Response resp = event.getResponse();
        if (resp.getStatusCode() < 200 || resp.getStatusCode() >= 300 || event.getDialog() == null) {
            return;
        }
        try {
            Dialog d = event.getDialog();
            d.sendAck(d.createAck(((CSeqHeader) resp.getHeader(CSeqHeader.NAME)).getSeqNumber()));
            sendBye(d, (SipProvider) event.getSource());
        } catch (Exception e) {
            log.debug("a stray answer could not be ended: {}", e.toString());
        }
    }

    private void sendCancel(RelayCall call) throws Exception {
        Request cancel = call.calleeTx.createCancel();
        calleeProvider(call).getNewClientTransaction(cancel).sendRequest();
    }

    // ---------------------------------------------------------------- carrier → platform (inbound)

    /**
     * A carrier INVITE matched to a trunk and routed to an application (InboundGate): 100 Trying at
     * once, then the application is asked (call.initiated, asynchronously: no SIP thread waits) and
     * its actions run when the answer comes (DESIGN §5/§6).
     */
    public void onInboundInvite(RequestEvent event, InboundMatch.Routed routed) throws Exception {
        Request invite = event.getRequest();
        SipProvider external = (SipProvider) event.getSource();
        ServerTransaction tx = event.getServerTransaction() != null ? event.getServerTransaction()
                : external.getNewServerTransaction(invite);
        String from = user(((FromHeader) invite.getHeader(FromHeader.NAME)).getAddress());
        RelayCall call = new RelayCall(ids.newOrderedId("call"), routed.trunk().customerId(), false, invite, tx,
                tokens.get(), eu.minivoice.gateway.domain.E164.normalise(from).orElse(from), routed.dialled(),
                clock.instant());
        tx.sendResponse(sip.messageFactory().createResponse(Response.TRYING, invite));
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("route", routed.number() != null && routed.number().applicationId() != null ? "number" : "trunk");
        if (routed.number() != null) {
            data.put("number_id", routed.number().id());
        }
        synchronized (call) {
            call.inboundTrunk = routed.trunk();
            call.applicationId = routed.applicationId();
            call.callerDialog = external.getNewDialog(tx);
            byCallerCallId.put(call.callerCallId, call);
            byId.put(call.id, call);
            observer.recordChanged(call.record());
            List<String> required = requiredOptions(invite);
            if (!required.isEmpty()) {
                // As on the platform side: nothing can be required of us (100rel is not offered
                // towards the caller; no session timers).
                Response r = sip.messageFactory().createResponse(Response.BAD_EXTENSION, invite);
                for (String tag : required) {
                    r.addHeader(sip.headerFactory().createUnsupportedHeader(tag));
                }
                sendFinalToPlatform(call, r);
                endInbound(call, Response.BAD_EXTENSION, "error", Map.of("error", Map.of("code",
                        ErrorCode.UNSUPPORTED_EXTENSION.code(), "message", "unsupported: " + String.join(", ", required))));
                return;
            }
        }
        actions.fetch(new ActionRequest(call.info("initiated"), Map.of(), data)).whenComplete((decision, error) -> {
            synchronized (call) {
                try {
                    if (error != null) {
                        throw error;
                    }
                    if (call.state != CallState.ROUTING) {
                        return; // canceled by the carrier while the application was asked
                    }
                    call.actions = decision.actions();
                    runActions(call, 0);
                } catch (Throwable t) {
                    log.warn("call {}: running the application's actions failed: {}", call.id, t.toString());
                    try {
                        if (call.state != CallState.ENDED) {
                            failInbound(call, 500, "error", "internal error running actions");
                        }
                    } catch (Exception e) {
                        log.warn("call {}: could not even refuse: {}", call.id, e.toString());
                    }
                }
            }
        });
    }

    /** Runs the call's actions from {@code from} until one ends the routing (DESIGN §6). */
    private void runActions(RelayCall call, int from) throws Exception {
        for (int i = from; i < call.actions.size(); i++) {
            call.actionIndex = i;
            Action a = call.actions.get(i);
            if (a instanceof Action.SetVariables set) {
                call.variables.putAll(set.variables());
            } else if (a instanceof Action.Reject reject) {
                Response r = sip.messageFactory().createResponse(reject.status(), call.callerInvite);
                if (reject.reason() != null) {
                    r.setReasonPhrase(reject.reason());
                }
                sendFinalToPlatform(call, r);
                endInbound(call, reject.status(), null, Map.of());
                return;
            } else if (a instanceof Action.Redirect redirect) {
                Response r = sip.messageFactory().createResponse(Response.MOVED_TEMPORARILY, call.callerInvite);
                r.setHeader(sip.headerFactory().createContactHeader(
                        sip.addressFactory().createAddress(sip.addressFactory().createURI(redirect.to()))));
                sendFinalToPlatform(call, r);
                endInbound(call, Response.MOVED_TEMPORARILY, "rejected", Map.of("redirect_to", redirect.to()));
                return;
            } else if (a instanceof Action.Forward forward) {
                call.forwardTargets = forward.targets();
                call.forwardTimeoutSeconds = forward.timeoutSeconds();
                call.forwardIndex = -1;
                nextForwardTarget(call, null);
                return;
            } else if (a instanceof Action.Dial dial) {
                if (startDial(call, dial)) {
                    return;
                }
            }
        }
        failInbound(call, call.lastFailureCode != null ? call.lastFailureCode : Response.TEMPORARILY_UNAVAILABLE,
                null, null);
    }

    /**
     * Inbound-to-PSTN forwarding: the outbound admission and trunk selection (DESIGN §4) for the
     * dialled number, with the caller ID given (it must be one of the customer's numbers) or else
     * the number the carrier dialled (the customer's DID). @return false when refused (the attempt
     * records why; the next action runs)
     */
    private boolean startDial(RelayCall call, Action.Dial dial) throws Exception {
        releaseCustomerSlot(call);
        String callerId = dial.callerId() != null ? dial.callerId() : call.to;
        OutboundDecision decision = router.decide(call.customerId, dial.trunkId(), dial.to(), callerId);
        if (decision instanceof OutboundDecision.Rejected r) {
            call.attempts.add(new RelayCall.Attempt(null, dial.to(), r.sipStatus(), r.code().code() + ": " + r.message(), 0));
            call.lastFailureCode = r.sipStatus();
            log.info("call {}: dial {} refused: {}", call.id, dial.to(), r.message());
            return false;
        }
        OutboundDecision.Routed routed = (OutboundDecision.Routed) decision;
        call.customerSlot = true;
        call.dialTo = routed.destination();
        call.dialFrom = routed.callerId();
        call.trunks = routed.trunks();
        call.trunkIndex = -1;
        call.calleeInternal = false;
        call.dialTimeoutSeconds = dial.timeoutSeconds();
        int actionIndex = call.actionIndex;
        nextAttempt(call, null, null);
        if (call.actionIndex == actionIndex && (call.state == CallState.TRYING || call.state == CallState.EARLY)) {
            // The action's timeout covers the whole dial (all its trunk attempts).
            call.ringTimer = timers.schedule(() -> dialTimeout(call, actionIndex), dial.timeoutSeconds(),
                    TimeUnit.SECONDS);
        }
        return true;
    }

    /** A dial action not answered within its timeout: cancel the attempt in progress, next action. */
    private void dialTimeout(RelayCall call, int actionIndex) {
        synchronized (call) {
            if (call.actionIndex != actionIndex || call.calleeInternal
                    || (call.state != CallState.TRYING && call.state != CallState.EARLY)) {
                return;
            }
            try {
                if (call.provisional) {
                    sendCancel(call);
                } else {
                    call.calleeTx.terminate();
                }
                long ms = (System.nanoTime() - call.attemptStartNanos) / 1_000_000;
                call.attempts.add(new RelayCall.Attempt(call.trunk.id(), Response.REQUEST_TIMEOUT,
                        "no answer within " + call.dialTimeoutSeconds + " s", ms));
                byCalleeCallId.remove(call.calleeCallId);
                releaseTrunk(call);
                cancelTimer(call.silenceTimer);
                call.calleeTx = null; // a late answer of this attempt is a stray (ACK + BYE)
                call.lastFailureCode = Response.REQUEST_TIMEOUT;
                call.state = CallState.ROUTING;
                runActions(call, actionIndex + 1);
            } catch (Exception e) {
                log.warn("call {}: ending a dial after its timeout failed: {}", call.id, e.toString());
            }
        }
    }

    private void releaseCustomerSlot(RelayCall call) {
        if (call.customerSlot) {
            call.customerSlot = false;
            router.released(call.customerId);
        }
    }

    /** The next platform target of a forward action; none left: the next action. */
    private void nextForwardTarget(RelayCall call, Integer lastCode) throws Exception {
        if (lastCode != null) {
            call.lastFailureCode = lastCode;
        }
        while (++call.forwardIndex < call.forwardTargets.size()) {
            String target = call.forwardTargets.get(call.forwardIndex);
            Request invite;
            try {
                call.calleeInternal = true;
                call.provisional = false;
                invite = requests.forwardInvite(call, target);
            } catch (Exception e) {
                call.attempts.add(new RelayCall.Attempt(null, target, null, "transport error: " + e.getMessage(), 0));
                log.info("call {}: forward target {} not reachable: {}", call.id, target, e.toString());
                continue;
            }
            call.state = CallState.TRYING;
            SipURI uri = (SipURI) invite.getRequestURI();
            String transport = uri.getTransportParam() == null ? "udp" : uri.getTransportParam();
            int port = uri.getPort() > 0 ? uri.getPort() : uri.isSecure() || transport.equalsIgnoreCase("tls") ? 5061 : 5060;
            gatedInvite(call, uri.getHost(), port, transport, invite, () -> {
                ClientTransaction ct = call.calleeTx;
                call.ringTimer = timers.schedule(() -> ringTimeout(call, ct), call.forwardTimeoutSeconds,
                        TimeUnit.SECONDS);
            }, reason -> {
                call.attempts.add(new RelayCall.Attempt(null, target, null, reason, 0));
                log.info("call {}: forward target {} not reachable: {}", call.id, target, reason);
                nextForwardTarget(call, 503);
            });
            return;
        }
        call.state = CallState.ROUTING;
        runActions(call, call.actionIndex + 1);
    }

    /** A forward target did not answer within the action's timeout: cancel it, try the next. */
    private void ringTimeout(RelayCall call, ClientTransaction ct) {
        synchronized (call) {
            if (call.calleeTx != ct || call.state == CallState.ANSWERED || call.state == CallState.ENDED
                    || call.state == CallState.CANCELLING) {
                return;
            }
            try {
                if (call.provisional) {
                    sendCancel(call);
                } else {
                    ct.terminate();
                }
                attemptFailed(call, Response.REQUEST_TIMEOUT, "no answer within " + call.forwardTimeoutSeconds + " s");
            } catch (Exception e) {
                log.warn("call {}: moving on after a ring timeout failed: {}", call.id, e.toString());
            }
        }
    }

    /** No (more) way to connect the inbound call: answer the carrier and end it. */
    private void failInbound(RelayCall call, int code, String reason, String message) throws Exception {
        Response r = sip.messageFactory().createResponse(code, call.callerInvite);
        sendFinalToPlatform(call, r);
        Map<String, Object> extra = new LinkedHashMap<>();
        if (message != null) {
            extra.put("error", Map.of("code", ErrorCode.INTERNAL_ERROR.code(), "message", message));
        }
        endInbound(call, code, reason, extra);
    }

    private void endInbound(RelayCall call, int code, String reason, Map<String, Object> extra) {
        Map<String, Object> data = failedData(code, null);
        if (reason != null) {
            data.put("reason", reason);
        }
        data.put("attempts", call.attemptsJson());
        data.putAll(extra);
        end(call, "call.failed", data);
        byCallerCallId.remove(call.callerCallId);
    }

    // ---------------------------------------------------------------- gateway → carrier

    /** Starts the next trunk's attempt, or answers the platform with the last failure. */
    private void nextAttempt(RelayCall call, Integer lastCode, String lastError) throws Exception {
        while (++call.trunkIndex < call.trunks.size()) {
            Trunk trunk = call.trunks.get(call.trunkIndex);
            if (!router.tryTrunk(trunk)) {
                call.attempts.add(new RelayCall.Attempt(trunk.id(), null, "trunk limit reached", 0));
                continue;
            }
            String refused = targets.refusalOfAny(proxyAddresses.apply(trunk.id()));
            if (refused != null) {
                router.trunkReleased(trunk.id());
                call.attempts.add(new RelayCall.Attempt(trunk.id(), null, "address refused: " + refused, 0));
                lastCode = 503;
                lastError = "address refused";
                log.warn("call {}: trunk {} skipped: its proxy resolves to {}", call.id, trunk.id(), refused);
                continue;
            }
            call.trunk = trunk;
            call.authTried = false;
            call.provisional = false;
            Request invite;
            try {
                invite = requests.trunkInvite(call, trunk);
            } catch (Exception e) {
                router.trunkReleased(trunk.id());
                call.attempts.add(new RelayCall.Attempt(trunk.id(), null, "transport error: " + e.getMessage(), 0));
                lastCode = 503;
                lastError = "transport error";
                log.info("call {}: trunk {} not reachable: {}", call.id, trunk.id(), e.toString());
                continue;
            }
            call.state = CallState.TRYING;
            ProxyAddress proxy = trunk.spec().proxyAddress();
            gatedInvite(call, proxy.host(), proxy.effectivePort(), proxy.transport().token(), invite, () -> { },
                    reason -> {
                        router.trunkReleased(trunk.id());
                        call.attempts.add(new RelayCall.Attempt(trunk.id(), null, reason, 0));
                        log.info("call {}: trunk {} not reachable: {}", call.id, trunk.id(), reason);
                        nextAttempt(call, 503, "transport error");
                    });
            return;
        }
        if (!call.callerInternal) {
            // An inbound call's dial action found no working trunk: the next action.
            call.lastFailureCode = lastCode == null ? 503 : lastCode;
            call.state = CallState.ROUTING;
            runActions(call, call.actionIndex + 1);
            return;
        }
        if (call.attempts.stream().allMatch(a -> "trunk limit reached".equals(a.error()))) {
            reject(call, 503, ErrorCode.LIMIT_EXCEEDED.code(), "every trunk is at its concurrent call or calls-per-second limit", 1);
        } else {
            int code = lastCode == null ? 503 : lastCode;
            Response r = sip.messageFactory().createResponse(code, call.callerInvite);
            sendFinalToPlatform(call, r);
            end(call, "call.failed", failedData(code, lastError));
        }
        byCallerCallId.remove(call.callerCallId);
    }

    /** What to do when a gated send failed (under the call's lock). */
    private interface AttemptFailed {
        void failed(String reason) throws Exception;
    }

    /**
     * Sends a callee INVITE through the connect gate (docs/security.md, rule 4): at once when nothing
     * needs connecting, else on the gate's threads. Whatever ran in between (a CANCEL, the end of
     * the call, the next attempt) wins: a late send or failure of a superseded attempt is dropped.
     */
    private void gatedInvite(RelayCall call, String host, int port, String transport, Request invite, Runnable sent,
                             AttemptFailed onFailure) {
        int attempt = ++call.attemptSeq;
        java.util.function.BooleanSupplier current = () -> call.attemptSeq == attempt && call.state == CallState.TRYING;
        connectGate.send(call.customerId, transport, host, port, () -> {
            synchronized (call) {
                if (current.getAsBoolean()) {
                    sendInvite(call, invite);
                    sent.run();
                }
            }
        }, reason -> {
            synchronized (call) {
                if (!current.getAsBoolean()) {
                    return;
                }
                try {
                    onFailure.failed(reason);
                } catch (Exception e) {
                    log.warn("call {}: after a failed send: {}", call.id, e.toString());
                }
            }
        });
    }

    private void sendInvite(RelayCall call, Request invite) throws Exception {
        ClientTransaction ct = calleeProvider(call).getNewClientTransaction(invite);
        ct.setApplicationData(new CarrierCallback(call, ct));
        Dialog dialog = calleeProvider(call).getNewDialog(ct);
        if (call.calleeCallId != null) {
            byCalleeCallId.remove(call.calleeCallId);
        }
        call.calleeTx = ct;
        call.calleeDialog = dialog;
        call.calleeInvite = invite;
        call.calleeCallId = ((CallIdHeader) invite.getHeader(CallIdHeader.NAME)).getCallId();
        byCalleeCallId.put(call.calleeCallId, call);
        call.attemptStartNanos = System.nanoTime();
        call.heardFromCallee = false;
        ct.sendRequest();
        if (call.silenceTimer != null) {
            call.silenceTimer.cancel(false);
        }
        call.silenceTimer = timers.schedule(() -> silenceTimeout(call, ct), inviteTimeout.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** The carrier sent nothing for this attempt: treat as a timeout (408) and fail over. */
    private void silenceTimeout(RelayCall call, ClientTransaction ct) {
        synchronized (call) {
            if (call.calleeTx != ct || call.heardFromCallee || call.state == CallState.ENDED
                    || call.state == CallState.CANCELLING) {
                return;
            }
            try {
                ct.terminate();
            } catch (Exception e) {
                // already over
            }
            try {
                attemptFailed(call, 408, "no answer within " + inviteTimeout.toMillis() + " ms");
            } catch (Exception e) {
                log.warn("call {}: failover after silence failed: {}", call.id, e.toString());
            }
        }
    }

    /** The longest call: hang up both legs. */
    private void maxDurationReached(RelayCall call) {
        synchronized (call) {
            if (call.state != CallState.ANSWERED) {
                return;
            }
            try {
                sendBye(call.callerDialog, callerProvider(call));
                hangUp(call, HangUp.GATEWAY);
            } catch (Exception e) {
                log.warn("call {}: ending at the maximum duration failed: {}", call.id, e.toString());
            }
        }
    }

    /** Answers of the carrier leg (and its timeout), per client transaction. */
    private final class CarrierCallback implements TransactionCallback {
        private final RelayCall call;
        private final ClientTransaction tx;

        CarrierCallback(RelayCall call, ClientTransaction tx) {
            this.call = call;
            this.tx = tx;
        }

        @Override
        public void onResponse(ResponseEvent event) {
            synchronized (call) {
                try {
                    if (call.calleeTx != tx) {
                        endStrayAnswer(event); // an earlier attempt's late answer
                        return;
                    }
                    carrierResponse(call, event);
                } catch (Exception e) {
                    log.warn("call {}: relaying a carrier answer failed: {}", call.id, e.toString());
                }
            }
        }

        @Override
        public void onTimeout() {
            synchronized (call) {
                try {
                    if (call.calleeTx != tx || call.state == CallState.ENDED) {
                        return;
                    }
                    attemptFailed(call, 408, "no answer from the carrier (timeout)");
                } catch (Exception e) {
                    log.warn("call {}: failover after a timeout failed: {}", call.id, e.toString());
                }
            }
        }

        /** Connection refused/lost or TLS failure: like a 503 from the carrier (fails over before a provisional). */
        @Override
        public void onTransportError() {
            synchronized (call) {
                try {
                    if (call.calleeTx != tx || call.state == CallState.ENDED || call.state == CallState.CANCELLING
                            || call.state == CallState.ANSWERED) {
                        return;
                    }
                    log.info("call {}: transport error towards {}", call.id, attemptName(call));
                    attemptFailed(call, 503, "transport error (connection failed)");
                } catch (Exception e) {
                    log.warn("call {}: failover after a transport error failed: {}", call.id, e.toString());
                }
            }
        }
    }

    private void carrierResponse(RelayCall call, ResponseEvent event) throws Exception {
        Response resp = event.getResponse();
        int code = resp.getStatusCode();
        call.heardFromCallee = true;
        if (code == Response.TRYING) {
            return;
        }
        if (call.state == CallState.CANCELLING || call.state == CallState.ENDED) {
            if (code < 200 && call.cancelPending) {
                call.cancelPending = false;
                sendCancel(call);
            } else if (code >= 200 && code < 300) {
                // The 200 crossed our CANCEL: complete the carrier dialog and end it at once.
                long cseq = ((CSeqHeader) resp.getHeader(CSeqHeader.NAME)).getSeqNumber();
                Dialog d = event.getDialog() != null ? event.getDialog() : call.calleeDialog;
                d.sendAck(d.createAck(cseq));
                sendBye(d, calleeProvider(call));
            }
            if (code >= 200) {
                byCalleeCallId.remove(call.calleeCallId);
                releaseTrunk(call);
            }
            return;
        }
        if (code < 200 && call.state == CallState.ANSWERED) {
            return; // a provisional overtaken by the 200 (stack threads run in parallel): too late to relay
        }
        if (code < 200 && resp.getHeader(RSeqHeader.NAME) != null && requires100rel(resp)) {
            // 100rel ends on this leg (docs/relay.md): we PRACK it; the platform gets it unreliably.
            Dialog early = event.getDialog() != null ? event.getDialog() : call.calleeDialog;
            Request prack = early.createPrack(resp);
            early.sendRequest(calleeProvider(call).getNewClientTransaction(prack));
        }
        if (code < 200) {
            call.provisional = true;
            boolean first = call.state != CallState.EARLY;
            call.state = CallState.EARLY;
            Response relay = sip.messageFactory().createResponse(code, call.callerInvite);
            relay.setReasonPhrase(resp.getReasonPhrase());
            LegRequests.copyBody(resp, relay);
            decorate(call, relay);
            call.callerTx.sendResponse(relay);
            if (first && (code == 180 || code == 183)) {
                call.status = "ringing";
                observer.callEvent("call.ringing", call.info("ringing"), call.variables, Map.of("sip_code", code));
            }
            return;
        }
        long ms = (System.nanoTime() - call.attemptStartNanos) / 1_000_000;
        if (code >= 200 && code < 300) {
            call.attempts.add(call.calleeInternal
                    ? new RelayCall.Attempt(null, call.forwardTargets.get(call.forwardIndex), code, null, ms)
                    : new RelayCall.Attempt(call.trunk.id(), code, null, ms));
            call.state = CallState.ANSWERED;
            cancelTimer(call.ringTimer);
            call.calleeInviteCseq = ((CSeqHeader) call.calleeInvite.getHeader(CSeqHeader.NAME)).getSeqNumber();
            call.status = "answered";
            call.finalCode = code;
            call.answeredAt = clock.instant();
            if (event.getDialog() != null) {
                call.calleeDialog = event.getDialog();
            }
            Response ok = sip.messageFactory().createResponse(code, call.callerInvite);
            LegRequests.copyBody(resp, ok);
            decorate(call, ok);
            call.callerTx.sendResponse(ok);
            call.callerAckPending = true; // until the caller's ACK, hold its next requests (see onRequest)
            observer.callEvent("call.answered", call.info("answered"), call.variables, Map.of("sip_code", code,
                    "attempts", call.attemptsJson()));
            observer.recordChanged(call.record());
            call.maxDurationTimer = timers.schedule(() -> maxDurationReached(call), maxCall.toMillis(),
                    TimeUnit.MILLISECONDS);
            return;
        }
        if ((code == 401 || code == 407) && !call.calleeInternal && !call.authTried && call.trunk.spec().username() != null
                && fromProxy(call.trunk, event)) {
            call.authTried = true;
            Request again = requests.withCredentials(call, resp);
            if (again != null) {
                sendInvite(call, again);
                return;
            }
        }
        attemptFailed(call, code, resp.getReasonPhrase());
    }

    private static boolean requires100rel(Response r) {
        for (ListIterator<?> it = r.getHeaders(RequireHeader.NAME); it.hasNext(); ) {
            if ("100rel".equalsIgnoreCase(((RequireHeader) it.next()).getOptionTag())) {
                return true;
            }
        }
        return false;
    }

    /** A final non-2xx (or timeout): fail over when allowed, else pass the answer to the platform. */
    private void attemptFailed(RelayCall call, int code, String reason) throws Exception {
        long ms = (System.nanoTime() - call.attemptStartNanos) / 1_000_000;
        byCalleeCallId.remove(call.calleeCallId);
        if (call.calleeInternal) {
            call.attempts.add(new RelayCall.Attempt(null, call.forwardTargets.get(call.forwardIndex), code, reason, ms));
            cancelTimer(call.ringTimer);
            nextForwardTarget(call, code);
            return;
        }
        call.attempts.add(new RelayCall.Attempt(call.trunk.id(), code, reason, ms));
        router.trunkReleased(call.trunk.id());
        if (!call.provisional && call.trunk.spec().failoverCodeSet().contains(code)) {
            log.info("call {}: trunk {} answered {}; trying the next trunk", call.id, call.trunk.id(), code);
            nextAttempt(call, code, reason);
            return;
        }
        if (!call.callerInternal) {
            call.lastFailureCode = code;
            call.state = CallState.ROUTING;
            runActions(call, call.actionIndex + 1); // an inbound call's dial failed: the next action
            return;
        }
        Response r = sip.messageFactory().createResponse(code, call.callerInvite);
        sendFinalToPlatform(call, r);
        end(call, "call.failed", failedData(code, reason));
        byCallerCallId.remove(call.callerCallId);
    }

    private Map<String, Object> failedData(int code, String reason) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("reason", switch (code) {
            case 486, 600 -> "busy";
            case 408, 480 -> "no_answer";
            case 487 -> "canceled";
            case 403, 404, 603 -> "rejected";
            default -> "error";
        });
        data.put("sip_code", code);
        if (reason != null) {
            data.put("sip_reason", reason);
        }
        return data;
    }

    /** Credentials only for a challenge that came from the trunk's own proxy (never to a stranger). */
    private boolean fromProxy(Trunk trunk, ResponseEvent event) {
        if (!(event instanceof ResponseEventExt ext) || ext.getRemoteIpAddress() == null) {
            return false;
        }
        // Resolved when the trunk changed (never a DNS lookup on a SIP thread).
        return proxyAddresses.apply(trunk.id()).contains(ext.getRemoteIpAddress());
    }

    // ---------------------------------------------------------------- teardown

    /** Who ended an answered call: a leg's BYE, or the gateway (maximum duration; the caller got its BYE already). */
    private enum HangUp { CALLER, CALLEE, GATEWAY }

    private void hangUp(RelayCall call, HangUp by) throws Exception {
        if (call.state != CallState.ANSWERED) {
            return;
        }
        if (by == HangUp.CALLEE) {
            sendBye(call.callerDialog, callerProvider(call));
        } else {
            sendBye(call.calleeDialog, calleeProvider(call));
        }
        // hangup_side names the network: platform (internal) or carrier (external), or gateway.
        boolean internalSide = by == HangUp.CALLER ? call.callerInternal : call.calleeInternal;
        String side = by == HangUp.GATEWAY ? "gateway" : internalSide ? "platform" : "carrier";
        long seconds = java.time.Duration.between(call.answeredAt, clock.instant()).toSeconds();
        end(call, "call.completed", Map.of("hangup_side", side,
                "hangup_cause", by == HangUp.GATEWAY ? "max_call_duration" : "normal_clearing", "duration", seconds,
                "attempts", call.attemptsJson()));
        byCallerCallId.remove(call.callerCallId);
        byCalleeCallId.remove(call.calleeCallId);
        releaseTrunk(call);
    }

    /** Gives back the trunk slot of a carrier attempt (forward attempts to the platform take none). */
    private void releaseTrunk(RelayCall call) {
        if (call.trunk != null && !call.calleeInternal) {
            router.trunkReleased(call.trunk.id());
        }
    }

    private static String attemptName(RelayCall call) {
        return call.calleeInternal ? call.forwardTargets.get(call.forwardIndex) : "trunk " + call.trunk.id();
    }

    private SipProvider callerProvider(RelayCall call) {
        return call.callerInternal ? sip.internalProvider() : sip.externalProvider();
    }

    private SipProvider calleeProvider(RelayCall call) {
        return call.calleeInternal ? sip.internalProvider() : sip.externalProvider();
    }

    private static void sendBye(Dialog dialog, SipProvider provider) throws Exception {
        Request bye = dialog.createRequest(Request.BYE);
        ClientTransaction ct = provider.getNewClientTransaction(bye);
        dialog.sendRequest(ct);
    }

    private void end(RelayCall call, String type, Map<String, Object> eventData) {
        Map<String, Object> data = new LinkedHashMap<>(eventData);
        data.putIfAbsent("attempts", call.attemptsJson()); // every attempt, in every final event
        String status = type.equals("call.completed") ? "completed" : String.valueOf(switch (String.valueOf(data.get("reason"))) {
            case "busy" -> "busy";
            case "no_answer" -> "no_answer";
            case "canceled" -> "canceled";
            default -> "failed";
        });
        call.state = CallState.ENDED;
        call.status = status;
        call.endedAt = clock.instant();
        if (data.get("sip_code") instanceof Integer c && call.answeredAt == null) {
            call.finalCode = c;
        }
        call.hangupSide = (String) data.get("hangup_side");
        call.reason = type.equals("call.completed") ? "hangup" : String.valueOf(data.get("reason"));
        teardown(call);
        observer.callEvent(type, call.info(status), call.variables, data);
        observer.recordChanged(call.record());
    }

    /**
     * What an ended call holds is let go, however it ended (a refusal, a hang-up, a CANCEL): its
     * timers, the customer's concurrent-call slot, its entry by call id, and requests held behind
     * an ACK (they get their answer, 481 now).
     */
    private void teardown(RelayCall call) {
        cancelTimer(call.silenceTimer);
        cancelTimer(call.maxDurationTimer);
        cancelTimer(call.ringTimer);
        releaseCustomerSlot(call);
        if (!call.deferred.isEmpty()) {
            timers.execute(() -> runDeferred(call));
        }
        byId.remove(call.id, call);
    }

    // ---------------------------------------------------------------- helpers

    private void reject(RelayCall call, int status, String code, String message, Integer retryAfter) throws Exception {
        reject(call, status, code, message, retryAfter, r -> { });
    }

    private interface Decoration {
        void apply(Response r) throws Exception;
    }

    private void reject(RelayCall call, int status, String code, String message, Integer retryAfter,
                        Decoration extra) throws Exception {
        Response r = sip.messageFactory().createResponse(status, call.callerInvite);
        extra.apply(r);
        r.addHeader(sip.headerFactory().createHeader(ERROR_HEADER, code));
        if (status == 415) {
            r.addHeader(sip.headerFactory().createAcceptHeader("application", "sdp"));
        }
        if (retryAfter != null) {
            r.addHeader(sip.headerFactory().createRetryAfterHeader(retryAfter));
        }
        sendFinalToPlatform(call, r);
        call.state = CallState.ENDED;
        call.status = "failed";
        call.finalCode = status;
        call.endedAt = clock.instant();
        call.reason = "error";
        call.errorCode = code;
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("reason", "error");
        data.put("sip_code", status);
        data.put("error", Map.of("code", code, "message", message));
        teardown(call); // e.g. every trunk at its limit after admission: the customer's slot goes back
        if (hasCustomer(call)) {
            // Without a customer nobody could ever see the record or receive the event.
            observer.callEvent("call.failed", call.info("failed"), call.variables, data);
            observer.recordChanged(call.record());
        }
        log.info("call {}: refused {} {} ({})", call.id, status, code, message);
    }

    private static boolean hasCustomer(RelayCall call) {
        return call.customerId != null && !call.customerId.isBlank() && call.customerId.length() <= 80;
    }

    private void sendFinalToPlatform(RelayCall call, Response r) throws Exception {
        decorate(call, r);
        call.callerTx.sendResponse(r);
    }

    private void decorate(RelayCall call, Response r) throws Exception {
        ToHeader to = (ToHeader) r.getHeader(ToHeader.NAME);
        if (to.getTag() == null && r.getStatusCode() > 100) {
            to.setTag(call.callerToTag);
        }
        if (call.callerInternal && r.getHeader(CALL_ID_HEADER) == null) {
            r.addHeader(sip.headerFactory().createHeader(CALL_ID_HEADER, call.id)); // never towards a carrier
        }
        if (r.getStatusCode() < 300 && r.getStatusCode() > 100) {
            contact(r, call.callerInternal ? "internal" : "external",
                    ((ViaHeader) call.callerInvite.getHeader(ViaHeader.NAME)).getTransport());
        }
    }

    private ServerTransaction serverTx(RequestEvent event) throws Exception {
        return event.getServerTransaction() != null ? event.getServerTransaction()
                : ((SipProvider) event.getSource()).getNewServerTransaction(event.getRequest());
    }

    private void answer(RequestEvent event, ServerTransaction held, int status) throws Exception {
        ServerTransaction st = held != null ? held : serverTx(event);
        st.sendResponse(sip.messageFactory().createResponse(status, event.getRequest()));
    }


    private static String header(Request r, String name) {
        Header h = r.getHeader(name);
        if (h == null) {
            return null;
        }
        String s = h.toString();
        return s.substring(s.indexOf(':') + 1).trim();
    }

    private static String user(Address a) {
        return user(a.getURI());
    }

    /** The user part of a SIP URI, %-decoded ('+' kept); null for other URIs. Shared with InboundGate. */
    static String user(javax.sip.address.URI uri) {
        if (uri instanceof SipURI s) {
            String u = s.getUser();
            return u == null ? null : java.net.URLDecoder.decode(u.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
        }
        return null;
    }
}
