package eu.minivoice.gateway.sip.relay;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sip.address.SipURI;
import javax.sip.message.Request;
import java.time.Duration;
import java.util.List;

/**
 * A forward action (docs/inbound.md): its platform targets are rung one after the other, each for
 * the action's timeout; a target that fails, or does not answer in time, gives way to the next.
 * None left: the {@link Exhausted} continuation (the application's next action).
 */
final class ForwardHunt implements AttemptPlan {
    private static final Logger log = LoggerFactory.getLogger(ForwardHunt.class);

    record Services(RelayContext ctx, LegRequests requests, CalleeAttempts attempts) {
    }

    /** Every target failed; the latest failure's code (null when none was tried). */
    @FunctionalInterface
    interface Exhausted {
        void exhausted(Integer lastCode) throws Exception;
    }

    private final Services s;
    private final List<String> targets;
    private final int timeoutSeconds;
    private final Exhausted exhausted;
    private int index = -1;
    private Integer lastCode;

    ForwardHunt(Services services, List<String> targets, int timeoutSeconds, Exhausted exhausted) {
        this.s = services;
        this.targets = targets;
        this.timeoutSeconds = timeoutSeconds;
        this.exhausted = exhausted;
    }

    /** Rings the next target, or gives up. */
    void next(RelayCall call) throws Exception {
        while (++index < targets.size()) {
            String target = targets.get(index);
            Request invite;
            try {
                invite = s.requests().forwardInvite(call, target);
            } catch (Exception e) {
                call.attempts.add(Attempt.toTarget(target, null, "transport error: " + e.getMessage(), 0));
                log.info("call {}: forward target {} not reachable: {}", call.id, target, e.toString());
                continue;
            }
            SipURI uri = (SipURI) invite.getRequestURI();
            String transport = SipText.transport(uri);
            int port = SipText.port(uri);
            s.attempts().send(call, Leg.toTarget(target, invite), uri.getHost(), port, transport,
                    leg -> call.ringTimer = s.ctx().schedule(Duration.ofSeconds(timeoutSeconds), () -> ringTimeout(call, leg)),
                    reason -> {
                        call.attempts.add(Attempt.toTarget(target, null, reason, 0));
                        log.info("call {}: forward target {} not reachable: {}", call.id, target, reason);
                        lastCode = 503;
                        next(call);
                    });
            return;
        }
        call.setState(CallState.ROUTING, "forward targets exhausted");
        exhausted.exhausted(lastCode);
    }

    @Override
    public void attemptFailed(RelayCall call, Leg leg, int code, String reason) throws Exception {
        Teardown.cancel(call.ringTimer);
        lastCode = code;
        next(call);
    }

    /** A target did not answer within the action's timeout: stop ringing it, try the next. */
    private void ringTimeout(RelayCall call, Leg leg) {
        call.locked("moving on after a ring timeout", () -> {
            if (call.callee == leg && call.state() != CallState.ANSWERED && !call.ended()) {
                CalleeAttempts.stopRinging(leg);
                s.attempts().failed(call, leg, 408, "no answer within " + timeoutSeconds + " s");
            }
        });
    }
}
