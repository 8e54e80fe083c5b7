package eu.minivoice.gateway.sip.relay;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * Requests within a call — ACK, BYE, CANCEL, and re-INVITE, UPDATE, INFO… of an answered call —
 * carried from the leg they came on to the other one. A dialog's messages arrive here in the order
 * they were received (the transport dispatches one Call-ID on one worker, docs/sip.md), so a
 * request sent right behind an ACK is relayed after it without waiting.
 */
final class InDialog {
    private static final Logger log = LoggerFactory.getLogger(InDialog.class);

    private final RelayContext ctx;
    private final CallTable table;
    private final CallerAnswers answers;
    private final Teardown teardown;

    InDialog(RelayContext ctx, CallTable table, CallerAnswers answers, Teardown teardown) {
        this.ctx = ctx;
        this.table = table;
        this.answers = answers;
        this.teardown = teardown;
    }

    /** @return false when the request belongs to no call in progress */
    boolean onRequest(RelayContext.Incoming in) throws Exception {
        Request req = in.request();
        CallTable.Found found = table.find(((CallIdHeader) req.getHeader(CallIdHeader.NAME)).getCallId(), in.internal());
        if (found == null) {
            return false;
        }
        RelayCall call = found.call();
        synchronized (call) {
            Leg from = found.fromCallerLeg() ? call.caller : call.callee;
            if (from == null) {
                return false; // the callee leg it belonged to was given up
            }
            handle(call, in, from);
        }
        return true;
    }

    /**
     * The stack gave up on one leg's dialog: the 2xx we sent was never ACKed, or the 2xx we
     * received never was by us (its ACK comes from the other leg, end to end, and never came), or a
     * re-INVITE could not be sent for want of that ACK. RFC 3261 §13.3.1.4: the session ends, with
     * a BYE — on both legs here, the timed-out one included.
     *
     * @return false when the dialog is no leg of a call in progress (stale, or of a forked answer)
     */
    boolean onDialogTimeout(String callId, boolean internal, RelayContext.DialogWire dialog) throws Exception {
        CallTable.Found found = table.find(callId, internal);
        if (found == null) {
            return false;
        }
        RelayCall call = found.call();
        synchronized (call) {
            Leg leg = found.fromCallerLeg() ? call.caller : call.callee;
            if (leg == null || !dialog.equals(leg.dialog) || call.ended() || call.state() != CallState.ANSWERED) {
                return false;
            }
            log.info("call {}: the {} leg's 2xx/ACK handshake timed out: ending the call", call.id,
                    leg.internal ? "platform" : "carrier");
            teardown.hangUp(call, null, EndCause.ackTimeout());
            return true;
        }
    }

    private void handle(RelayCall call, RelayContext.Incoming in, Leg from) throws Exception {
        Request req = in.request();
        switch (req.getMethod()) {
            case Request.ACK -> {
                // The ACK for a 2xx (the first INVITE or a re-INVITE) goes on to the other leg,
                // with its body (late offer) — once. A repeated ACK answers a 2xx our stack
                // retransmitted to this leg (JAIN-SIP can miss an ACK that races the 2xx it sent on
                // another worker, and retransmits); the other leg's own 2xx retransmissions are
                // ACKed again by the stack. Relaying it would hand the other side an ACK it never
                // asked for (a SIPp carrier aborts on it).
                Leg other = call.other(from);
                if (call.bridged() && other != null && other.dialog != null && other.ackCseq > 0) {
                    other.dialog.ack(other.ackCseq, req);
                    other.ackCseq = 0;
                }
            }
            case Request.CANCEL -> {
                respond(in, Response.OK);
                if (from == call.caller) {
                    canceled(call);
                }
            }
            case Request.BYE -> {
                respond(in, Response.OK);
                teardown.hangUp(call, from);
            }
            default -> relay(call, in, from);
        }
    }

    /** The caller gave up before an answer: 487 to it, the callee attempt canceled, the call ended. */
    private void canceled(RelayCall call) throws Exception {
        if (call.state() == CallState.ANSWERED || call.ended()) {
            return; // too late: the 2xx crossed the CANCEL; the caller will BYE
        }
        Teardown.cancelCallee(call);
        teardown.fail(call, EndCause.canceled());
    }

    /**
     * re-INVITE, UPDATE, INFO (and other in-dialog requests) of an answered call: sent on the other
     * leg's dialog with the body; its final answer comes back to the sender. A re-INVITE's 2xx is
     * ACKed end to end (see the ACK case).
     */
    private void relay(RelayCall call, RelayContext.Incoming in, Leg from) throws Exception {
        Request req = in.request();
        if (!call.bridged()) {
            respond(in, req.getMethod().equals(Request.INVITE) ? Response.REQUEST_PENDING
                    : Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST);
            return;
        }
        Leg other = call.other(from);
        Request out = other.dialog.newRequest(req.getMethod());
        LegRequests.copyBody(req, out);
        other.dialog.send(out, new RelayContext.Answers() {
            @Override
            public void onResponse(RelayContext.Answer a) {
                call.locked("relaying an in-dialog answer", () -> {
                    Response resp = a.response();
                    if (resp.getStatusCode() < 200) {
                        return;
                    }
                    if (req.getMethod().equals(Request.INVITE) && resp.getStatusCode() < 300) {
                        other.ackCseq = ((CSeqHeader) out.getHeader(CSeqHeader.NAME)).getSeqNumber();
                    }
                    Response back = ctx.messages().createResponse(resp.getStatusCode(), req);
                    back.setReasonPhrase(resp.getReasonPhrase());
                    LegRequests.copyBody(resp, back);
                    if (resp.getStatusCode() < 300) {
                        ViaHeader via = (ViaHeader) req.getHeader(ViaHeader.NAME);
                        answers.contact(back, from.internal, via.getTransport(), RelayContext.ipv6(via.getHost()));
                    }
                    in.tx().respond(back);
                });
            }

            @Override
            public void onTimeout() {
                call.locked("answering 408 for an in-dialog request", () -> respond(in, Response.REQUEST_TIMEOUT));
            }
        });
    }

    private void respond(RelayContext.Incoming in, int status) throws Exception {
        in.tx().respond(ctx.messages().createResponse(status, in.request()));
    }
}
