package eu.minivoice.gateway.sip.relay;

import eu.minivoice.gateway.actions.Action;
import eu.minivoice.gateway.routing.OutboundDecision;
import eu.minivoice.gateway.routing.OutboundRouter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sip.message.Response;
import java.time.Duration;
import java.util.List;

/**
 * An inbound call's actions, as the application answered (docs/inbound.md): run in order until
 * one ends the routing — reject, redirect, a forward ({@link ForwardHunt}) or a dial
 * ({@link TrunkFailover}) — whose failure comes back here to run the next action. Nothing left:
 * the caller gets the last failure's code (503 when there was none).
 */
final class ActionProgram {
    private static final Logger log = LoggerFactory.getLogger(ActionProgram.class);

    record Services(RelayContext ctx, OutboundRouter router, Teardown teardown, ForwardHunt.Services forwards,
                    TrunkFailover.Services trunks) {
    }

    private final Services s;
    private final RelayCall call;
    private final List<Action> actions;
    private int index = -1;
    private Integer lastFailureCode;

    ActionProgram(Services services, RelayCall call, List<Action> actions) {
        this.s = services;
        this.call = call;
        this.actions = actions;
    }

    /** Runs the actions from {@code from} (under the call's monitor). */
    void runFrom(int from) throws Exception {
        for (int i = from; i < actions.size(); i++) {
            index = i;
            Action a = actions.get(i);
            if (a instanceof Action.SetVariables set) {
                call.variables.putAll(set.variables());
            } else if (a instanceof Action.Reject reject) {
                s.teardown().fail(call, EndCause.answered(reject.status(), null), r -> {
                    if (reject.reason() != null) {
                        r.setReasonPhrase(reject.reason());
                    }
                });
                return;
            } else if (a instanceof Action.Redirect redirect) {
                s.teardown().fail(call, EndCause.redirected(redirect.to()), r -> r.setHeader(s.ctx().headers()
                        .createContactHeader(s.ctx().addresses().createAddress(s.ctx().addresses().createURI(redirect.to())))));
                return;
            } else if (a instanceof Action.Forward forward) {
                ForwardHunt hunt = new ForwardHunt(s.forwards(), forward.targets(), forward.timeoutSeconds(), this::afterFailure);
                call.plan = hunt;
                hunt.next(call);
                return;
            } else if (a instanceof Action.Dial dial && dialed(dial)) {
                return;
            }
        }
        s.teardown().fail(call, EndCause.answered(lastFailureCode != null ? lastFailureCode : Response.TEMPORARILY_UNAVAILABLE, null));
    }

    /** The running forward or dial action failed: the next action. */
    private void afterFailure(Integer lastCode) throws Exception {
        if (lastCode != null) {
            lastFailureCode = lastCode;
        }
        runFrom(index + 1);
    }

    /**
     * Inbound-to-PSTN forwarding: the outbound admission and trunk selection for the dialled
     * number, with the caller ID given (one of the customer's numbers) or else the number the
     * carrier dialled (the customer's DID). @return false when refused (the attempt records why;
     * the next action runs)
     */
    private boolean dialed(Action.Dial dial) throws Exception {
        s.teardown().releaseCustomerSlot(call);
        String callerId = dial.callerId() != null ? dial.callerId() : call.to;
        OutboundDecision decision = s.router().decide(call.customerId, dial.trunkId(), dial.to(), callerId);
        if (decision instanceof OutboundDecision.Rejected r) {
            call.attempts.add(Attempt.toTarget(dial.to(), r.sipStatus(), r.code().code() + ": " + r.message(), 0));
            lastFailureCode = r.sipStatus();
            log.info("call {}: dial {} refused: {}", call.id, dial.to(), r.message());
            return false;
        }
        OutboundDecision.Routed routed = (OutboundDecision.Routed) decision;
        call.customerSlot = true;
        call.dialTo = routed.destination();
        call.dialFrom = routed.callerId();
        int dialIndex = index;
        TrunkFailover trunks = new TrunkFailover(s.trunks(), routed.trunks(), (c, lastCode, lastReason) -> {
            Teardown.cancel(call.ringTimer);
            if (c.state() != CallState.ROUTING) {
                c.setState(CallState.ROUTING, "dial failed");
            }
            afterFailure(lastCode == null ? Response.SERVICE_UNAVAILABLE : lastCode);
        });
        call.plan = trunks;
        trunks.next(call, null, null);
        if (index == dialIndex && (call.state() == CallState.TRYING || call.state() == CallState.EARLY)) {
            // The action's timeout covers the whole dial (all its trunk attempts).
            call.ringTimer = s.ctx().schedule(Duration.ofSeconds(dial.timeoutSeconds()),
                    () -> dialTimeout(dialIndex, dial.timeoutSeconds()));
        }
        return true;
    }

    /** A dial action not answered within its timeout: stop the attempt in progress, the next action. */
    private void dialTimeout(int dialIndex, int seconds) {
        call.locked("ending a dial after its timeout", () -> {
            if (index != dialIndex || (call.state() != CallState.TRYING && call.state() != CallState.EARLY)) {
                return;
            }
            Leg leg = call.callee;
            if (leg != null) { // else its INVITE is still waiting for a connection: dropped when it gets one
                CalleeAttempts.stopRinging(leg);
                leg.cancelSilenceTimer();
                call.attempts.add(leg.attempt(Response.REQUEST_TIMEOUT, "no answer within " + seconds + " s",
                        s.ctx().nanoTime()));
                s.trunks().teardown().releaseTrunk(leg);
                s.trunks().attempts().forget(call, leg);
            }
            call.callee = null; // a late answer of this attempt is a stray (ACK + BYE)
            lastFailureCode = Response.REQUEST_TIMEOUT;
            call.setState(CallState.ROUTING, "dial timeout");
            runFrom(dialIndex + 1);
        });
    }
}
