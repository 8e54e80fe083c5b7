package eu.minivoice.gateway.sip.relay;

import eu.minivoice.gateway.actions.ActionFetcher;
import eu.minivoice.gateway.domain.AddressPolicy;
import eu.minivoice.gateway.domain.IdGenerator;
import eu.minivoice.gateway.routing.InboundMatch;
import eu.minivoice.gateway.routing.OutboundRouter;
import eu.minivoice.gateway.sip.CallHandler;
import eu.minivoice.gateway.sip.SipServer;
import eu.minivoice.gateway.sip.dns.SipLocator;
import eu.minivoice.gateway.sip.net.ConnectGate;

import javax.sip.RequestEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The signalling-only B2BUA for both directions (docs/relay.md has the flow and the call machine).
 * A call has a caller leg (the INVITE we received) and a callee leg (the attempt we are making).
 * Outbound: {@link OutboundCalls} checks and routes a platform INVITE, a {@link TrunkFailover}
 * tries the trunks. Inbound: {@link InboundGate} matches a carrier INVITE, {@link InboundCalls}
 * asks the application and an {@link ActionProgram} runs its actions ({@link ForwardHunt},
 * dials). {@link CalleeAttempts} runs every callee leg, {@link InDialog} carries requests between
 * the legs, {@link Teardown} ends calls; {@link ThirdPartyCalls} places calls for the API.
 * Everything runs on the thread that delivered the message
 * (a SIP thread, a timer, the HTTP client, a connect thread) under the call's monitor; nothing
 * here waits on I/O. This class only wires the parts and adapts the stack's events.
 */
public final class CallRelay implements CallHandler, eu.minivoice.gateway.domain.CallControl {
    public static final String CUSTOMER_HEADER = "X-MiniVoice-Customer-Id";
    public static final String TRUNK_HEADER = "X-MiniVoice-Trunk";
    public static final String CALL_ID_HEADER = "X-MiniVoice-Call-Id";
    public static final String ERROR_HEADER = "X-MiniVoice-Error";
    /** On the platform leg of an inbound call: the trunk it came in on, and the dialled number. */
    public static final String TRUNK_ID_HEADER = "X-MiniVoice-Trunk-Id";
    public static final String DIALLED_HEADER = "X-MiniVoice-Dialled-Number";

    private final CallTable table = new CallTable();
    private final OutboundCalls outbound;
    private final InboundCalls inbound;
    private final InDialog inDialog;
    private final Teardown teardown;
    private final ThirdPartyCalls placed;

    /**
     * @param timers        runs the per-attempt silence timeout, ring timeouts and the maximum call duration
     * @param inviteTimeout a callee silent this long (not even 100 Trying) is failed over
     * @param maxCall       an answered call is hung up on both legs after this long
     */
    public CallRelay(SipServer sip, OutboundRouter router, CallObserver observer, IdGenerator ids,
                     Supplier<String> tokens, Clock clock, ScheduledExecutorService timers, Duration inviteTimeout,
                     Duration maxCall, ActionFetcher actions, Function<String, Set<String>> proxyAddresses,
                     AddressPolicy targets, ConnectGate connectGate, SipLocator locator) {
        this(new JainSipRelayContext(sip, connectGate, locator, clock, timers), router, observer, ids, tokens, inviteTimeout,
                maxCall, actions, proxyAddresses, targets);
    }

    /** On any {@link RelayContext} (the unit tests' fake). */
    CallRelay(RelayContext ctx, OutboundRouter router, CallObserver observer, IdGenerator ids, Supplier<String> tokens,
              Duration inviteTimeout, Duration maxCall, ActionFetcher actions,
              Function<String, Set<String>> proxyAddresses, AddressPolicy targets) {
        CallerAnswers answers = new CallerAnswers(ctx);
        this.teardown = new Teardown(ctx, table, router, observer, answers);
        LegRequests requests = new LegRequests(ctx, tokens);
        CalleeAttempts attempts = new CalleeAttempts(ctx, table, requests, answers, teardown, observer, proxyAddresses,
                inviteTimeout, maxCall);
        TrunkFailover.Services trunks = new TrunkFailover.Services(ctx, router, targets, proxyAddresses, requests,
                attempts, teardown);
        ActionProgram.Services programs = new ActionProgram.Services(ctx, router, teardown,
                new ForwardHunt.Services(ctx, requests, attempts), trunks);
        this.outbound = new OutboundCalls(ctx, table, router, observer, ids, tokens, teardown, trunks);
        this.inbound = new InboundCalls(ctx, table, observer, ids, tokens, teardown, actions, programs);
        this.inDialog = new InDialog(ctx, table, answers, teardown);
        this.placed = new ThirdPartyCalls(ctx, table, router, observer, ids, tokens, teardown, requests, trunks,
                new ConnectLeg.Services(ctx, teardown, observer, inviteTimeout));
    }

    /** POST /v1/calls (docs/calls.md): admitted and started here, never waiting on a peer. */
    @Override
    public Placement place(Origination origination) {
        return placed.place(origination);
    }

    /** DELETE /v1/calls/{id}: any call of the customer in progress on this node. */
    @Override
    public HangUp hangUp(String customerId, String callId) {
        return placed.hangUp(customerId, callId);
    }

    @Override
    public java.util.Optional<eu.minivoice.gateway.domain.CallRecord> inProgress(String customerId, String callId) {
        return placed.inProgress(customerId, callId);
    }

    public int activeCalls() {
        return table.active();
    }

    /**
     * The end of a drain (docs/operations.md): every call still up ends now — an answered one with
     * a BYE on both legs, one not answered yet with 503 (Retry-After) to its caller and its callee
     * attempt canceled. Records and events say why (error code draining).
     */
    public void endAll(int retryAfterSeconds) {
        for (RelayCall call : table.all()) {
            call.locked("ending at the end of the drain", () -> {
                if (call.ended()) {
                    return;
                }
                if (call.state() == CallState.ANSWERED) {
                    teardown.hangUp(call, null, EndCause.drained());
                } else {
                    Teardown.cancelCallee(call);
                    teardown.fail(call, EndCause.refused(503, eu.minivoice.gateway.domain.ErrorCode.DRAINING,
                            "the gateway is shutting down", retryAfterSeconds));
                }
            });
        }
    }

    @Override
    public void onPlatformInvite(RequestEvent event) throws Exception {
        onPlatformInvite(JainSipRelayContext.incoming(event, true));
    }

    /** A carrier INVITE matched and routed by {@link InboundGate}. */
    public void onInboundInvite(RequestEvent event, InboundMatch.Routed routed) throws Exception {
        onInboundInvite(JainSipRelayContext.incoming(event, false), routed);
    }

    @Override
    public boolean onRequest(RequestEvent event, boolean fromInternal) throws Exception {
        return onRequest(JainSipRelayContext.incoming(event, fromInternal));
    }

    @Override
    public boolean onDialogTimeout(javax.sip.Dialog dialog, javax.sip.SipProvider provider, boolean internal)
            throws Exception {
        return onDialogTimeout(dialog.getCallId().getCallId(), internal, JainSipRelayContext.wire(dialog, provider));
    }

    /** A leg's dialog timed out (its 2xx never ACKed): the call ends. @return false when no call has that leg */
    boolean onDialogTimeout(String callId, boolean internal, RelayContext.DialogWire dialog) throws Exception {
        return inDialog.onDialogTimeout(callId, internal, dialog);
    }

    void onPlatformInvite(RelayContext.Incoming in) throws Exception {
        outbound.onInvite(in);
    }

    void onInboundInvite(RelayContext.Incoming in, InboundMatch.Routed routed) throws Exception {
        inbound.onInvite(in, routed);
    }

    /** An in-dialog request, a CANCEL or an ACK. @return false when it belongs to no relayed call */
    boolean onRequest(RelayContext.Incoming in) throws Exception {
        return inDialog.onRequest(in);
    }
}
