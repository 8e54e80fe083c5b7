package eu.minivoice.gateway.sip.relay;

import eu.minivoice.gateway.domain.CallControl;
import eu.minivoice.gateway.domain.CallRecord;
import eu.minivoice.gateway.domain.ErrorCode;
import eu.minivoice.gateway.domain.IdGenerator;
import eu.minivoice.gateway.routing.OutboundDecision;
import eu.minivoice.gateway.routing.OutboundRouter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sip.message.Request;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Calls the customer places and ends through the API (docs/calls.md). Placing: the same
 * admission, caller-ID check, limits and trunk failover as a platform INVITE ({@link
 * OutboundRouter}, {@link TrunkFailover}), the carrier INVITE without an offer, and a
 * {@link ConnectLeg} that brings in the platform when the carrier answers. Ending: any call of the
 * customer in progress here, placed or relayed — an answered one gets a BYE on both legs, one not
 * answered yet ends as if its caller had canceled.
 */
final class ThirdPartyCalls {
    private static final Logger log = LoggerFactory.getLogger(ThirdPartyCalls.class);

    private final RelayContext ctx;
    private final CallTable table;
    private final OutboundRouter router;
    private final CallObserver observer;
    private final IdGenerator ids;
    private final Supplier<String> tokens;
    private final Teardown teardown;
    private final LegRequests requests;
    private final TrunkFailover.Services trunks;
    private final ConnectLeg.Services connects;

    ThirdPartyCalls(RelayContext ctx, CallTable table, OutboundRouter router, CallObserver observer, IdGenerator ids,
                    Supplier<String> tokens, Teardown teardown, LegRequests requests, TrunkFailover.Services trunks,
                    ConnectLeg.Services connects) {
        this.ctx = ctx;
        this.table = table;
        this.router = router;
        this.observer = observer;
        this.ids = ids;
        this.tokens = tokens;
        this.teardown = teardown;
        this.requests = requests;
        this.trunks = trunks;
        this.connects = connects;
    }

    /** Admits and starts the call; returns once its first trunk attempt is on its way (never waits on a peer). */
    CallControl.Placement place(CallControl.Origination o) {
        OutboundDecision decision = router.decide(o.customerId(), o.trunk(), o.to(), o.from());
        if (decision instanceof OutboundDecision.Rejected r) {
            return new CallControl.Refused(r.code(), r.message(), r.retryAfterSeconds());
        }
        OutboundDecision.Routed routed = (OutboundDecision.Routed) decision;
        String id = ids.newOrderedId("call");
        Request platformInvite;
        try {
            platformInvite = requests.connectInvite(id, o.customerId(), routed.destination(), o.connectTo());
        } catch (Exception e) {
            router.released(o.customerId());
            return new CallControl.Refused(ErrorCode.VALIDATION_FAILED, "connect_to is not a usable SIP URI: "
                    + e.getMessage(), null);
        }
        ConnectLeg connect = new ConnectLeg(connects, o.connectTo());
        RelayCall call = new RelayCall(id, o.customerId(), Leg.caller(true, platformInvite, connect), tokens.get(),
                routed.callerId(), routed.destination(), ctx.now());
        connect.bind(call);
        call.connect = connect;
        synchronized (call) {
            if (!table.claimId(call)) { // a fresh random id: only a broken generator gets here
                router.released(o.customerId());
                return new CallControl.Refused(ErrorCode.INTERNAL_ERROR, "call id " + id + " is in use", null);
            }
            call.customerSlot = true;
            call.applicationId = routed.trunks().get(0).spec().applicationId();
            table.addCaller(call);
            observer.callEvent("call.initiated", call.info(), call.variables, Map.of("connect_to", o.connectTo()));
            CallRecord placed = call.record();
            observer.recordChanged(placed);
            log.info("call {}: placed through the API to {} for {}", call.id, routed.destination(), o.connectTo());
            TrunkFailover plan = new TrunkFailover(trunks, routed.trunks(), OutboundCalls.failingTheCaller(teardown));
            call.plan = plan;
            try {
                plan.next(call, null, null);
            } catch (Exception e) {
                log.warn("call {}: starting the first attempt failed: {}", call.id, e.toString());
                if (!call.ended()) {
                    teardown.end(call, EndCause.refused(500, ErrorCode.INTERNAL_ERROR, "internal error placing the call"));
                }
            }
            return new CallControl.Placed(placed);
        }
    }

    /** Ends the customer's call {@code callId} if it is in progress here. */
    CallControl.HangUp hangUp(String customerId, String callId) {
        RelayCall call = table.byId(callId);
        if (call == null || !customerId.equals(call.customerId)) {
            return CallControl.HangUp.NOT_IN_PROGRESS; // another customer's call is not there for this one
        }
        boolean[] ending = {false};
        call.locked("hanging up through the API", () -> {
            if (call.ended()) {
                return;
            }
            ending[0] = true;
            if (call.state() == CallState.ANSWERED) {
                teardown.hangUp(call, null, EndCause.hangUp(EndCause.Side.API));
            } else {
                Teardown.cancelCallee(call);
                teardown.fail(call, EndCause.canceledThroughApi());
            }
        });
        return ending[0] ? CallControl.HangUp.ENDING : CallControl.HangUp.NOT_IN_PROGRESS;
    }

    /** The record of the customer's call in progress here, as it is now. */
    Optional<CallRecord> inProgress(String customerId, String callId) {
        RelayCall call = table.byId(callId);
        if (call == null || !customerId.equals(call.customerId)) {
            return Optional.empty();
        }
        synchronized (call) {
            return call.ended() ? Optional.empty() : Optional.of(call.record());
        }
    }
}
