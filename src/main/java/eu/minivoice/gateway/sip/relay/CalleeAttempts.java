package eu.minivoice.gateway.sip.relay;

import eu.minivoice.gateway.domain.SipTarget;
import eu.minivoice.gateway.domain.Trunk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sip.header.CSeqHeader;
import javax.sip.header.RSeqHeader;
import javax.sip.header.RequireHeader;
import javax.sip.message.Response;
import java.time.Duration;
import java.util.ListIterator;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The callee leg of a call, one attempt at a time: sends its INVITE (through the connect gate),
 * relays its provisionals and its answer to the caller, answers a trunk's challenge once, and
 * turns silence, timeouts, transport errors and final failures into one
 * {@link AttemptPlan#attemptFailed} for the call's plan to decide what comes next.
 */
final class CalleeAttempts {
    private static final Logger log = LoggerFactory.getLogger(CalleeAttempts.class);

    /** What to do when a gated send failed (under the call's monitor). */
    @FunctionalInterface
    interface SendFailed {
        void failed(String reason) throws Exception;
    }

    private final RelayContext ctx;
    private final CallTable table;
    private final LegRequests requests;
    private final CallerAnswers answers;
    private final Teardown teardown;
    private final CallObserver observer;
    /** Trunk id → the numeric addresses of its proxy, kept current off the SIP threads. */
    private final Function<String, Set<String>> proxyAddresses;
    private final Duration inviteTimeout;
    private final Duration maxCall;

    /**
     * @param inviteTimeout a callee silent this long (not even 100 Trying) is failed over
     * @param maxCall       an answered call is hung up on both legs after this long
     */
    CalleeAttempts(RelayContext ctx, CallTable table, LegRequests requests, CallerAnswers answers, Teardown teardown,
                   CallObserver observer, Function<String, Set<String>> proxyAddresses, Duration inviteTimeout,
                   Duration maxCall) {
        this.ctx = ctx;
        this.table = table;
        this.requests = requests;
        this.answers = answers;
        this.teardown = teardown;
        this.observer = observer;
        this.proxyAddresses = proxyAddresses;
        this.inviteTimeout = inviteTimeout;
        this.maxCall = maxCall;
    }

    /**
     * Starts an attempt (docs/security.md, rule 4: through the connect gate). Whatever runs in
     * between (a CANCEL, the end of the call, a timeout and the next attempt) wins: a late send or
     * failure of a superseded attempt is dropped and its trunk slot given back.
     */
    void send(RelayCall call, Leg leg, String host, int port, String transport, Consumer<Leg> sent,
              SendFailed onFailure) {
        int attempt = ++call.attemptSeq;
        call.callee = null; // until it is sent, an answer of the previous leg is a stray
        call.setState(CallState.TRYING, leg.name());
        ctx.whenReachable(call.customerId, transport, host, port, () -> {
            synchronized (call) { // a failure here is the gate's to report (below)
                if (current(call, attempt)) {
                    sendLeg(call, leg);
                    sent.accept(leg);
                } else {
                    teardown.releaseTrunk(leg);
                }
            }
        }, reason -> call.locked("moving on after a failed send", () -> {
            if (current(call, attempt)) {
                onFailure.failed(reason);
            } else {
                teardown.releaseTrunk(leg);
            }
        }));
    }

    /** {@link #send} to one located server of the leg's trunk (the leg remembers it for its INVITEs). */
    void send(RelayCall call, Leg leg, SipTarget server, Consumer<Leg> sent, SendFailed onFailure) {
        leg.server = server;
        send(call, leg, server.host(), server.port(), server.transport().token(), sent, onFailure);
    }

    private static boolean current(RelayCall call, int attempt) {
        return call.attemptSeq == attempt && call.state() == CallState.TRYING;
    }

    private void sendLeg(RelayCall call, Leg leg) throws Exception {
        table.removeCallee(call, call.callee);
        call.callee = leg;
        call.calleeCallId = leg.callId;
        table.addCallee(call, leg);
        leg.startNanos = ctx.nanoTime();
        leg.out = leg.server != null
                ? ctx.sendInvite(leg.invite, new LegAnswers(call, leg), leg.server, requests.proxyOf(leg.trunk).host())
                : ctx.sendInvite(leg.internal, leg.invite, new LegAnswers(call, leg));
        leg.dialog = leg.out.dialog();
        leg.silenceTimer = ctx.schedule(inviteTimeout, () -> silence(call, leg));
    }

    /** The callee's answers, timeout and transport error, for one leg. */
    private final class LegAnswers implements RelayContext.Answers {
        private final RelayCall call;
        private final Leg leg;

        LegAnswers(RelayCall call, Leg leg) {
            this.call = call;
            this.leg = leg;
        }

        @Override
        public void onResponse(RelayContext.Answer answer) {
            call.locked("relaying an answer of " + leg.name(), () -> {
                if (call.callee != leg) {
                    endStray(answer); // an earlier attempt's late answer
                } else {
                    response(call, leg, answer);
                }
            });
        }

        @Override
        public void onTimeout() {
            call.locked("moving on after a timeout", () -> {
                if (call.callee != leg) {
                    return;
                }
                if (call.ended()) {
                    table.removeCallee(call, leg); // a canceled INVITE that never got its final answer
                    return;
                }
                failed(call, leg, 408, "no answer from the carrier (timeout)");
            });
        }

        /** Connection refused/lost or TLS failure: like a 503 (fails over before a provisional). */
        @Override
        public void onTransportError() {
            call.locked("moving on after a transport error", () -> {
                if (call.callee != leg || call.state() == CallState.ANSWERED) {
                    return;
                }
                if (call.ended()) {
                    table.removeCallee(call, leg);
                    return;
                }
                log.info("call {}: transport error towards {}", call.id, leg.name());
                failed(call, leg, 503, "transport error (connection failed)");
            });
        }
    }

    /** The callee sent nothing for this attempt: treat as a timeout (408) and move on. */
    private void silence(RelayCall call, Leg leg) {
        call.locked("moving on after silence", () -> {
            if (call.callee == leg && !leg.heard && !call.ended()) {
                leg.out.abandon();
                failed(call, leg, 408, "no answer within " + inviteTimeout.toMillis() + " ms");
            }
        });
    }

    private void response(RelayCall call, Leg leg, RelayContext.Answer answer) throws Exception {
        Response resp = answer.response();
        int code = resp.getStatusCode();
        leg.heard = true;
        if (code == Response.TRYING) {
            return;
        }
        if (call.ended()) {
            afterEnd(call, leg, answer);
            return;
        }
        if (code < 200) {
            provisional(call, leg, answer);
        } else if (code < 300) {
            if (call.state() != CallState.ANSWERED) { // else a second 2xx (retransmitted or forked): answered already
                answered(call, leg, answer);
            }
        } else if (!challengeAnswered(call, leg, answer)) {
            failed(call, leg, code, resp.getReasonPhrase());
        }
    }

    /** The caller gave up: CANCEL once a provisional allows it; a 2xx that crossed the CANCEL is ACKed and ended. */
    private void afterEnd(RelayCall call, Leg leg, RelayContext.Answer answer) throws Exception {
        int code = answer.response().getStatusCode();
        if (code < 200 && leg.cancelPending) {
            leg.cancelPending = false;
            leg.out.cancel();
        } else if (code >= 200 && code < 300) {
            RelayContext.DialogWire d = answer.dialog() != null ? answer.dialog() : leg.dialog;
            d.ack(cseq(answer.response()), null);
            Teardown.bye(d);
        }
        if (code >= 200) {
            table.removeCallee(call, leg);
            teardown.releaseTrunk(leg);
        }
    }

    private void provisional(RelayCall call, Leg leg, RelayContext.Answer answer) throws Exception {
        Response resp = answer.response();
        int code = resp.getStatusCode();
        if (call.state() == CallState.ANSWERED) {
            return; // overtaken by the 2xx (stack threads run in parallel): too late to relay
        }
        if (resp.getHeader(RSeqHeader.NAME) != null && requires100rel(resp)) {
            // 100rel ends on this leg (docs/relay.md): we PRACK it; the caller gets it unreliably.
            (answer.dialog() != null ? answer.dialog() : leg.dialog).prack(resp);
        }
        leg.provisional = true;
        boolean first = call.state() != CallState.EARLY;
        if (first) {
            call.setState(CallState.EARLY, code);
        }
        Response relay = answers.create(call, code);
        relay.setReasonPhrase(resp.getReasonPhrase());
        LegRequests.copyBody(resp, relay);
        answers.send(call, relay);
        if (first && (code == 180 || code == 183)) {
            call.rang();
            observer.callEvent("call.ringing", call.info(), call.variables, Map.of("sip_code", code));
        }
    }

    private void answered(RelayCall call, Leg leg, RelayContext.Answer answer) throws Exception {
        Response resp = answer.response();
        int code = resp.getStatusCode();
        leg.cancelSilenceTimer();
        call.attempts.add(leg.attempt(code, null, ctx.nanoTime()));
        call.answered(code, ctx.now());
        Teardown.cancel(call.ringTimer);
        leg.ackCseq = leg.inviteCseq();
        if (answer.dialog() != null) {
            leg.dialog = answer.dialog();
        }
        Response ok = answers.create(call, code);
        LegRequests.copyBody(resp, ok);
        answers.send(call, ok);
        observer.callEvent("call.answered", call.info(), call.variables, Map.of("sip_code", code,
                "attempts", call.attemptsJson()));
        observer.recordChanged(call.record());
        call.maxDurationTimer = ctx.schedule(maxCall, () -> call.locked("ending at the maximum duration",
                () -> teardown.hangUp(call, null)));
    }

    /** 401/407 from the trunk's own proxy: the INVITE again, once, with the trunk's credentials. @return true when sent */
    private boolean challengeAnswered(RelayCall call, Leg leg, RelayContext.Answer answer) throws Exception {
        int code = answer.response().getStatusCode();
        Trunk trunk = leg.trunk;
        if ((code != 401 && code != 407) || trunk == null || leg.authTried || trunk.spec().username() == null
                || !fromProxy(trunk, answer)) {
            return false;
        }
        javax.sip.message.Request again = requests.withCredentials(leg, answer.response());
        if (again == null) {
            return false;
        }
        leg.cancelSilenceTimer();
        Leg next = Leg.toTrunk(trunk, again, true);
        next.server = leg.server; // the same server answers its own challenge
        next.trunkSlot = leg.trunkSlot; // the same attempt: its slot moves to the new leg
        leg.trunkSlot = false;
        sendLeg(call, next);
        return true;
    }

    /** Credentials only for a challenge that came from the trunk's own proxy (never to a stranger). */
    private boolean fromProxy(Trunk trunk, RelayContext.Answer answer) {
        // Resolved when the trunk changed (never a DNS lookup on a SIP thread).
        return answer.remoteIp() != null && proxyAddresses.apply(trunk.id()).contains(answer.remoteIp());
    }

    /**
     * The attempt is over without an answer (a final non-2xx, silence, a timeout, a transport
     * error, a ring timeout): recorded, its slot released, then the call's plan decides.
     */
    void failed(RelayCall call, Leg leg, int code, String reason) throws Exception {
        leg.cancelSilenceTimer();
        table.removeCallee(call, leg);
        call.attempts.add(leg.attempt(code, reason, ctx.nanoTime()));
        teardown.releaseTrunk(leg);
        call.plan.attemptFailed(call, leg, code, reason);
    }

    /** The leg is given up without a failure of its own (a dial action's timeout): its requests are no longer ours. */
    void forget(RelayCall call, Leg leg) {
        table.removeCallee(call, leg);
    }

    /** Stops ringing the callee: CANCEL after a provisional, else just stop retransmitting. */
    static void stopRinging(Leg leg) throws Exception {
        if (leg.provisional) {
            leg.out.cancel();
        } else {
            leg.out.abandon();
        }
    }

    /** A 2xx of an attempt we gave up on (CANCEL crossed it, or the hunt moved on): ACK and BYE it. */
    private static void endStray(RelayContext.Answer answer) {
        Response resp = answer.response();
        if (resp.getStatusCode() < 200 || resp.getStatusCode() >= 300 || answer.dialog() == null) {
            return;
        }
        try {
            answer.dialog().ack(cseq(resp), null);
            Teardown.bye(answer.dialog());
        } catch (Exception e) {
            log.debug("a stray answer could not be ended: {}", e.toString());
        }
    }

    private static long cseq(Response r) {
        return ((CSeqHeader) r.getHeader(CSeqHeader.NAME)).getSeqNumber();
    }

    private static boolean requires100rel(Response r) {
        for (ListIterator<?> it = r.getHeaders(RequireHeader.NAME); it.hasNext(); ) {
            if ("100rel".equalsIgnoreCase(((RequireHeader) it.next()).getOptionTag())) {
                return true;
            }
        }
        return false;
    }
}
