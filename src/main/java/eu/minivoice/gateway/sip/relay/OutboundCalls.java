package eu.minivoice.gateway.sip.relay;

import eu.minivoice.gateway.domain.ErrorCode;
import eu.minivoice.gateway.domain.IdGenerator;
import eu.minivoice.gateway.routing.OutboundDecision;
import eu.minivoice.gateway.routing.OutboundRouter;

import javax.sip.header.ContentTypeHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.MaxForwardsHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The start of an outbound call (docs/relay.md): a trusted platform INVITE is checked, admitted
 * and routed (all in memory), then handed to a {@link TrunkFailover} over the selected trunks.
 * Nothing reaches a carrier when a check fails.
 */
final class OutboundCalls {
    /** A platform-chosen call id: our own id format, so ids stay uniform in the API. */
    static final Pattern OWN_CALL_ID = Pattern.compile("call_[A-Za-z0-9_-]{8,64}");
    /** Header section of a platform INVITE above this → 513 (real ones are 1-2 KB; none is copied). */
    static final int MAX_HEADER_BYTES = 8192;

    private final RelayContext ctx;
    private final CallTable table;
    private final OutboundRouter router;
    private final CallObserver observer;
    private final IdGenerator ids;
    private final Supplier<String> tokens;
    private final Teardown teardown;
    private final TrunkFailover.Services trunks;

    OutboundCalls(RelayContext ctx, CallTable table, OutboundRouter router, CallObserver observer, IdGenerator ids,
                  Supplier<String> tokens, Teardown teardown, TrunkFailover.Services trunks) {
        this.ctx = ctx;
        this.table = table;
        this.router = router;
        this.observer = observer;
        this.ids = ids;
        this.tokens = tokens;
        this.teardown = teardown;
        this.trunks = trunks;
    }

    /** A new INVITE (no To tag) from a trusted platform source. */
    void onInvite(RelayContext.Incoming in) throws Exception {
        Request invite = in.request();
        in.tx().open(); // retransmissions are absorbed from here on
        String ownId = SipText.header(invite, CallRelay.CALL_ID_HEADER);
        boolean ownIdValid = ownId == null || OWN_CALL_ID.matcher(ownId).matches();
        String callId = ownId != null && ownIdValid ? ownId : ids.newOrderedId("call"); // time-ordered: records append
        RelayCall call = new RelayCall(callId, SipText.header(invite, CallRelay.CUSTOMER_HEADER),
                Leg.caller(true, invite, in.tx()), tokens.get(),
                SipText.user(((FromHeader) invite.getHeader(FromHeader.NAME)).getAddress().getURI()),
                SipText.user(invite.getRequestURI()), ctx.now());
        Response trying = ctx.messages().createResponse(Response.TRYING, invite);
        trying.addHeader(ctx.headers().createHeader(CallRelay.CALL_ID_HEADER, callId));
        in.tx().respond(trying);
        synchronized (call) {
            EndCause refusal = check(call, invite, ownIdValid);
            if (refusal != null) {
                teardown.fail(call, refusal, r -> unsupportedHeaders(r, invite));
                return;
            }
            OutboundDecision decision = router.decide(call.customerId, SipText.header(invite, CallRelay.TRUNK_HEADER),
                    call.to, call.from);
            if (decision instanceof OutboundDecision.Rejected r) {
                teardown.fail(call, EndCause.refused(r.sipStatus(), r.code(), r.message(), r.retryAfterSeconds()));
                return;
            }
            OutboundDecision.Routed routed = (OutboundDecision.Routed) decision;
            if (!table.claimId(call)) {
                // The same MiniVoice call entering twice at once is a loop (or a confused platform).
                router.released(call.customerId);
                teardown.fail(call, EndCause.refused(Response.LOOP_DETECTED, ErrorCode.DUPLICATE_CALL_ID,
                        "call " + call.id + " is already in progress"));
                return;
            }
            call.customerSlot = true;
            call.applicationId = routed.trunks().get(0).spec().applicationId();
            call.caller.dialog = in.tx().dialog();
            table.addCaller(call);
            observer.callEvent("call.initiated", call.info(), call.variables, Map.of());
            observer.recordChanged(call.record());
            TrunkFailover plan = new TrunkFailover(trunks, routed.trunks(), failingTheCaller(teardown));
            call.plan = plan;
            plan.next(call, null, null);
        }
    }

    /**
     * No trunk answered: the caller gets the last failure (or limit_exceeded when every trunk was
     * at its limit). Shared with calls placed through the API.
     */
    static TrunkFailover.Exhausted failingTheCaller(Teardown teardown) {
        return (call, lastCode, lastReason) -> {
            if (call.attempts.stream().allMatch(a -> Attempt.TRUNK_LIMIT.equals(a.error()))) {
                teardown.fail(call, EndCause.refused(503, ErrorCode.LIMIT_EXCEEDED,
                        "every trunk is at its concurrent call or calls-per-second limit", 1));
            } else {
                teardown.fail(call, EndCause.answered(lastCode == null ? 503 : lastCode, lastReason));
            }
        };
    }

    /**
     * Checks of the INVITE itself, before any routing. The stack already answers 400 to a request
     * without Via, From, To, Call-ID, CSeq, Max-Forwards or (INVITE) Contact; these are the
     * gateway's own rules. @return why it is refused, or null
     */
    private EndCause check(RelayCall call, Request invite, boolean ownIdValid) {
        MaxForwardsHeader mf = (MaxForwardsHeader) invite.getHeader(MaxForwardsHeader.NAME);
        if (mf != null && mf.getMaxForwards() <= 0) {
            return EndCause.refused(483, ErrorCode.TOO_MANY_HOPS, "Max-Forwards reached 0");
        }
        if (sentByUs(invite)) {
            return EndCause.refused(Response.LOOP_DETECTED, ErrorCode.LOOP_DETECTED, "the INVITE already passed this gateway");
        }
        if (invite instanceof gov.nist.javax.sip.message.SIPMessage m && m.getSize() > MAX_HEADER_BYTES) {
            return EndCause.refused(Response.MESSAGE_TOO_LARGE, ErrorCode.MESSAGE_TOO_LARGE,
                    "the INVITE's headers exceed " + MAX_HEADER_BYTES + " bytes");
        }
        if (!ownIdValid) {
            return EndCause.refused(Response.BAD_REQUEST, ErrorCode.INVALID_CALL_ID, CallRelay.CALL_ID_HEADER
                    + " must be call_ followed by 8-64 letters, digits, '_' or '-'");
        }
        if (((FromHeader) invite.getHeader(FromHeader.NAME)).getTag() == null) {
            return EndCause.refused(Response.BAD_REQUEST, ErrorCode.INVALID_REQUEST, "the From header has no tag");
        }
        List<String> unsupported = SipText.requiredOptions(invite);
        if (!unsupported.isEmpty()) {
            // Nothing is required of the platform leg: provisionals go to it unreliably (100rel is
            // terminated on the carrier leg, docs/relay.md), and there are no session timers.
            return EndCause.refused(Response.BAD_EXTENSION, ErrorCode.UNSUPPORTED_EXTENSION,
                    "unsupported: " + String.join(", ", unsupported));
        }
        ContentTypeHeader type = (ContentTypeHeader) invite.getHeader(ContentTypeHeader.NAME);
        byte[] body = invite.getRawContent();
        if (body != null && body.length > 0 && (type == null || !type.getContentType().equalsIgnoreCase("application")
                || !type.getContentSubType().equalsIgnoreCase("sdp"))) {
            // Only an SDP offer (or none) is relayed; anything else would reach the carrier unchecked.
            return EndCause.refused(415, ErrorCode.UNSUPPORTED_MEDIA_TYPE, "the INVITE body must be application/sdp");
        }
        if (!call.hasCustomer()) {
            return EndCause.refused(403, ErrorCode.UNAUTHORIZED, CallRelay.CUSTOMER_HEADER + " is required");
        }
        return null;
    }

    /** A 420 names the options it does not support. */
    private void unsupportedHeaders(Response r, Request invite) throws Exception {
        if (r.getStatusCode() == Response.BAD_EXTENSION) {
            for (String tag : SipText.requiredOptions(invite)) {
                r.addHeader(ctx.headers().createUnsupportedHeader(tag));
            }
        }
    }

    /** Host names compare case-blind; IPv6 literals by address ("[::1]" is "0:0:0:0:0:0:0:1"). */
    private static boolean sameHost(String ours, String theirs) {
        if (RelayContext.ipv6(ours) && RelayContext.ipv6(theirs)) {
            java.net.InetAddress a = eu.minivoice.gateway.domain.IpRange.literalAddress(ours);
            java.net.InetAddress b = eu.minivoice.gateway.domain.IpRange.literalAddress(theirs);
            return a != null && a.equals(b);
        }
        return ours.equalsIgnoreCase(theirs);
    }

    /** A Via of ours in a new INVITE: it went out through this gateway and came back. */
    private boolean sentByUs(Request invite) {
        for (ListIterator<?> it = invite.getHeaders(ViaHeader.NAME); it.hasNext(); ) {
            ViaHeader via = (ViaHeader) it.next();
            for (boolean internal : new boolean[] {true, false}) {
                RelayContext.Local local = ctx.local(internal, via.getTransport(), RelayContext.ipv6(via.getHost()));
                if (sameHost(local.host(), via.getHost()) && local.port() == via.getPort()) {
                    return true;
                }
            }
        }
        return false;
    }
}
