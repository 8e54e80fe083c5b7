package eu.minivoice.gateway.sip.relay;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sip.address.SipURI;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.RSeqHeader;
import javax.sip.message.Response;
import java.time.Duration;

/**
 * The platform leg of a call placed through the API (RFC 3725 flow I, docs/calls.md). The
 * carrier leg is an ordinary outbound attempt made without an offer; this class stands where a
 * SIP caller would be ({@link RelayContext.ServerWire}: what the relay answers a caller comes
 * here), and when the carrier's 2xx arrives with its offer it INVITEs {@code connect_to} with
 * that offer. The platform's 2xx is ACKed at once and its answer goes to the carrier in the ACK
 * of the carrier's 2xx; from then on the call is bridged like any other. A platform that refuses,
 * stays silent or is not reached in time fails the call: the carrier's 2xx is ACKed with an
 * answer declining every stream ({@link RejectingAnswer}) and the carrier leg gets a BYE.
 *
 * <p>The carrier retransmits its 2xx until our ACK, for at most 32 s (RFC 3261 §13.3.1.4): the
 * platform gets {@link #ANSWER_WITHIN} to answer, well inside that. All methods run under the
 * call's monitor.
 */
final class ConnectLeg implements RelayContext.ServerWire {
    private static final Logger log = LoggerFactory.getLogger(ConnectLeg.class);

    /** How long the platform has to answer once the carrier answered. */
    static final Duration ANSWER_WITHIN = Duration.ofSeconds(20);

    /** The platform leg's life; the only transitions are the arrows of {@link #move}. */
    enum State {
        /** The carrier leg is being tried; nothing sent to the platform. */
        WAITING,
        /** The carrier answered; the platform INVITE waits for its connection (connect gate). */
        SENDING,
        /** The platform INVITE is out. */
        RINGING,
        /** The platform answered; both 2xx ACKed: the call is bridged. */
        BRIDGED,
        /** Given up (the platform failed, or the call ended first); late answers are ended. */
        ABANDONED
    }

    record Services(RelayContext ctx, Teardown teardown, CallObserver observer, Duration inviteTimeout) {
    }

    private final Services s;
    private final String target;
    private RelayCall call;
    private State state = State.WAITING;
    /** The carrier's 2xx as relayed to this "caller": its body is the carrier's offer. */
    private Response carrierAnswer;
    private RelayContext.Cancellable answerTimer;

    ConnectLeg(Services services, String target) {
        this.s = services;
        this.target = target;
    }

    /** The call this leg belongs to (made after this leg, whose INVITE is its caller slot). */
    void bind(RelayCall call) {
        this.call = call;
    }

    boolean bridged() {
        return state == State.BRIDGED;
    }

    private void move(State next) {
        boolean legal = switch (state) {
            case WAITING -> next == State.SENDING || next == State.ABANDONED;
            case SENDING -> next == State.RINGING || next == State.ABANDONED;
            case RINGING -> next == State.BRIDGED || next == State.ABANDONED;
            case BRIDGED, ABANDONED -> false;
        };
        if (!legal) {
            throw new IllegalStateException("call " + call.id + ": platform leg " + state + " -> " + next);
        }
        state = next;
    }

    // What the relay answers "the caller": only the carrier's 2xx matters here.

    @Override
    public void respond(Response response) {
        int code = response.getStatusCode();
        if (code >= 200 && code < 300 && state == State.WAITING) {
            carrierAnswer = response;
            move(State.SENDING);
            // After the relay has finished taking the answer (call.answered, the duration timer):
            // this step needs the call's monitor, which that thread holds until then.
            s.ctx().schedule(Duration.ZERO, () -> call.locked("connecting the platform", this::send));
        }
    }

    @Override
    public void open() {
        // nothing to absorb: no request was received
    }

    @Override
    public RelayContext.DialogWire dialog() {
        throw new UnsupportedOperationException("a placed call's platform leg is a dialog we start");
    }

    /** The platform INVITE with the carrier's offer, through the connect gate. */
    private void send() throws Exception {
        if (state != State.SENDING || call.ended()) {
            return;
        }
        if (!sdp(carrierAnswer)) {
            failed(488, "the carrier answered without an SDP offer");
            return;
        }
        Leg leg = call.caller;
        LegRequests.copyBody(carrierAnswer, leg.invite);
        if (call.lastTrunk != null) {
            leg.invite.setHeader(s.ctx().headers().createHeader(CallRelay.TRUNK_ID_HEADER, call.lastTrunk.id()));
        }
        SipURI uri = (SipURI) leg.invite.getRequestURI();
        String transport = SipText.transport(uri);
        int port = SipText.port(uri);
        leg.startNanos = s.ctx().nanoTime();
        answerTimer = s.ctx().schedule(ANSWER_WITHIN, () -> call.locked("ending an unanswered connect", () -> {
            if (state == State.SENDING || state == State.RINGING) {
                Teardown.cancelInvite(leg);
                failed(408, "no answer within " + ANSWER_WITHIN.toSeconds() + " s");
            }
        }));
        s.ctx().whenReachable(call.customerId, transport, uri.getHost(), port, () -> {
            synchronized (call) { // a failure here is the gate's to report (below)
                if (state == State.SENDING && !call.ended()) {
                    leg.out = s.ctx().sendInvite(true, leg.invite, new PlatformAnswers(leg));
                    leg.dialog = leg.out.dialog();
                    move(State.RINGING);
                    leg.silenceTimer = s.ctx().schedule(s.inviteTimeout(), () -> call.locked("ending a silent connect",
                            () -> {
                                if (state == State.RINGING && !leg.heard) {
                                    leg.out.abandon();
                                    failed(408, "no answer within " + s.inviteTimeout().toMillis() + " ms");
                                }
                            }));
                }
            }
        }, reason -> call.locked("ending a connect that could not be sent", () -> {
            if (state == State.SENDING) {
                failed(503, reason);
            }
        }));
    }

    /** The platform INVITE's answers. */
    private final class PlatformAnswers implements RelayContext.Answers {
        private final Leg leg;

        PlatformAnswers(Leg leg) {
            this.leg = leg;
        }

        @Override
        public void onResponse(RelayContext.Answer answer) {
            call.locked("taking the platform's answer", () -> answered(leg, answer));
        }

        @Override
        public void onTimeout() {
            call.locked("ending a connect that timed out", () -> {
                if (state == State.RINGING) {
                    failed(408, "no answer from connect_to (timeout)");
                }
            });
        }

        @Override
        public void onTransportError() {
            call.locked("ending a connect after a transport error", () -> {
                if (state == State.RINGING) {
                    failed(503, "transport error (connection failed)");
                }
            });
        }
    }

    private void answered(Leg leg, RelayContext.Answer answer) throws Exception {
        Response resp = answer.response();
        int code = resp.getStatusCode();
        leg.heard = true;
        RelayContext.DialogWire dialog = answer.dialog() != null ? answer.dialog() : leg.dialog;
        if (code == Response.TRYING) {
            return;
        }
        if (state != State.RINGING) {
            // Given up: CANCEL once a provisional allows it; a 2xx that came anyway is ACKed and ended.
            if (code < 200 && leg.cancelPending) {
                leg.cancelPending = false;
                leg.out.cancel();
            } else if (code >= 200 && code < 300 && state == State.ABANDONED) {
                dialog.ack(leg.inviteCseq(), null);
                Teardown.bye(dialog);
            }
            return;
        }
        if (code < 200) {
            leg.provisional = true;
            if (resp.getHeader(RSeqHeader.NAME) != null) {
                dialog.prack(resp); // 100rel ends here, as on every leg we call
            }
            return;
        }
        if (code >= 300) {
            failed(code, resp.getReasonPhrase());
            return;
        }
        cancelTimers(leg);
        leg.dialog = dialog;
        dialog.ack(leg.inviteCseq(), null);
        Leg carrier = call.callee;
        carrier.dialog.ack(carrier.ackCseq, resp); // the platform's answer to the carrier's offer
        move(State.BRIDGED);
        call.attempts.add(Attempt.toTarget(target, code, null, (s.ctx().nanoTime() - leg.startNanos) / 1_000_000));
        s.observer().recordChanged(call.record());
        log.debug("call {}: bridged to {}", call.id, target);
    }

    /**
     * The call ends before the platform leg is up (a DELETE, the carrier's BYE, the maximum
     * duration, a drain): the platform INVITE is stopped; the carrier leg is ended unless it is
     * the one that hung up.
     */
    void abandon(boolean carrierHungUp) throws Exception {
        Leg leg = call.caller;
        if (state == State.RINGING) {
            Teardown.cancelInvite(leg);
        }
        if (state != State.ABANDONED && state != State.BRIDGED) {
            move(State.ABANDONED);
        }
        cancelTimers(leg);
        if (!carrierHungUp) {
            endCarrier();
        }
    }

    /** The platform did not take the call: recorded, the carrier leg ended, the call failed. */
    private void failed(int code, String reason) throws Exception {
        Leg leg = call.caller;
        move(State.ABANDONED);
        cancelTimers(leg);
        long ms = leg.startNanos == 0 ? 0 : (s.ctx().nanoTime() - leg.startNanos) / 1_000_000;
        call.attempts.add(Attempt.toTarget(target, code, reason, ms));
        log.info("call {}: connect_to {} failed: {} {}", call.id, target, code, reason);
        try {
            endCarrier();
        } finally {
            s.teardown().end(call, EndCause.connectFailed(code, reason)); // whatever the carrier leg did
        }
    }

    /** ACK the carrier's 2xx with an answer declining its offer, then BYE. */
    private void endCarrier() throws Exception {
        Leg carrier = call.callee;
        if (carrier == null || carrier.dialog == null || carrier.ackCseq == 0 || carrierAnswer == null) {
            return;
        }
        Response declined = (Response) carrierAnswer.clone();
        byte[] answer = RejectingAnswer.to(carrierAnswer.getRawContent());
        if (answer != null) {
            declined.setContent(answer, s.ctx().headers().createContentTypeHeader("application", "sdp"));
        } else {
            declined.removeContent();
        }
        carrier.dialog.ack(carrier.ackCseq, declined);
        carrier.ackCseq = 0;
        Teardown.bye(carrier.dialog);
    }

    private void cancelTimers(Leg leg) {
        leg.cancelSilenceTimer();
        Teardown.cancel(answerTimer);
    }

    private static boolean sdp(Response r) {
        byte[] body = r.getRawContent();
        ContentTypeHeader type = (ContentTypeHeader) r.getHeader(ContentTypeHeader.NAME);
        return body != null && body.length > 0 && type != null && type.getContentType().equalsIgnoreCase("application")
                && type.getContentSubType().equalsIgnoreCase("sdp");
    }
}
