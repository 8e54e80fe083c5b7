package eu.minivoice.gateway.sip.relay;

import eu.minivoice.gateway.domain.Trunk;

import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.message.Request;

/**
 * One side of a call: the caller leg (the INVITE we received, its server transaction and our
 * dialog with the caller) or a callee leg (one INVITE we sent — a trunk attempt or a forward
 * target — and its dialog). A new callee leg is made for every INVITE sent, so an answer for a leg
 * that is no longer the call's callee is recognisably stale. Guarded by the call's monitor.
 */
final class Leg {
    /** On the internal side (the platform) or the external one (a carrier). */
    final boolean internal;
    final Request invite;
    final String callId;
    /** Caller leg: the server transaction of its INVITE. */
    final RelayContext.ServerWire inviteTx;
    /** Callee leg: where the INVITE went (one of the two). */
    final Trunk trunk;
    final String target;
    /** Callee leg: the challenge was answered once with the trunk's credentials. */
    final boolean authTried;
    /** Callee leg: when its INVITE went out (attempt latency). */
    long startNanos;

    RelayContext.DialogWire dialog;
    /** Callee leg: the client transaction of its INVITE. */
    RelayContext.InviteWire out;
    /** CSeq of the latest INVITE we sent on this leg whose 2xx is ours to ACK and not ACKed yet (0 = none). */
    long ackCseq;
    /** Callee leg: any answer at all (even 100 Trying) — the peer is alive. */
    boolean heard;
    /** Callee leg: a provisional (101-199) came — CANCEL is allowed, failover no longer is. */
    boolean provisional;
    /** Callee leg: canceled before its first provisional; the CANCEL goes when one comes. */
    boolean cancelPending;
    /** Callee leg on a trunk: holds one of the trunk's concurrent-call slots until released. */
    boolean trunkSlot;
    /** Callee leg on a trunk: the server of the trunk's proxy it went to (RFC 3263; null: routed by the stack). */
    eu.minivoice.gateway.domain.SipTarget server;
    RelayContext.Cancellable silenceTimer;

    private Leg(boolean internal, Request invite, RelayContext.ServerWire inviteTx, Trunk trunk, String target,
                boolean authTried) {
        this.internal = internal;
        this.invite = invite;
        this.callId = ((CallIdHeader) invite.getHeader(CallIdHeader.NAME)).getCallId();
        this.inviteTx = inviteTx;
        this.trunk = trunk;
        this.target = target;
        this.authTried = authTried;
    }

    static Leg caller(boolean internal, Request invite, RelayContext.ServerWire tx) {
        return new Leg(internal, invite, tx, null, null, false);
    }

    /** A callee leg to a trunk's proxy (external side). */
    static Leg toTrunk(Trunk trunk, Request invite, boolean authTried) {
        return new Leg(false, invite, null, trunk, null, authTried);
    }

    /** A callee leg to a platform forward target (internal side). */
    static Leg toTarget(String target, Request invite) {
        return new Leg(true, invite, null, null, target, false);
    }

    long inviteCseq() {
        return ((CSeqHeader) invite.getHeader(CSeqHeader.NAME)).getSeqNumber();
    }

    /** What the attempt is called in logs. */
    String name() {
        return trunk != null ? "trunk " + trunk.id() : target;
    }

    Attempt attempt(Integer code, String error, long nowNanos) {
        long ms = (nowNanos - startNanos) / 1_000_000;
        return trunk != null ? Attempt.onTrunk(trunk.id(), code, error, ms) : Attempt.toTarget(target, code, error, ms);
    }

    void cancelSilenceTimer() {
        if (silenceTimer != null) {
            silenceTimer.cancel();
            silenceTimer = null;
        }
    }
}
