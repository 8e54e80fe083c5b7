package eu.minivoice.gateway.sip.relay;

import eu.minivoice.gateway.domain.CallInfo;
import eu.minivoice.gateway.domain.Trunk;

import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.ServerTransaction;
import javax.sip.message.Request;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One relayed call, in either direction: the caller leg (the INVITE server transaction and its
 * dialog — the platform for outbound calls, the carrier for inbound ones) and the current callee
 * attempt (a trunk, or a forward target). Guarded by its own monitor — SIP threads of both legs,
 * timers, webhook completions and connect-gate threads may touch it.
 */
final class RelayCall {
    /** One try on one trunk: kept on the call and in its events. */
    record Attempt(String trunkId, String target, Integer code, String error, long latencyMillis) {
        Attempt(String trunkId, Integer code, String error, long latencyMillis) {
            this(trunkId, null, code, error, latencyMillis);
        }

        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            if (target != null) {
                m.put("target", target); // a forward action's platform URI
            } else {
                m.put("trunk_id", trunkId);
            }
            m.put("sip_code", code);
            m.put("error", error);
            m.put("latency_ms", latencyMillis);
            return m;
        }
    }

    final String id;
    final String customerId;
    final String callerCallId;
    final Request callerInvite;
    final ServerTransaction callerTx;
    final String callerToTag;
    /** The caller leg is the platform (internal side, an outbound call) or a carrier (inbound). */
    final boolean callerInternal;
    final String from;
    final String to;
    final Instant createdAt;
    /** Where the call's events go: the first selected trunk's application (kept for the whole call). */
    String applicationId;
    Dialog callerDialog;
    CallState state = CallState.ROUTING;
    List<Trunk> trunks = List.of();
    int trunkIndex = -1;
    /** Counts callee attempts: a send that waited for a connection checks it is still the current one. */
    int attemptSeq;
    Trunk trunk;
    ClientTransaction calleeTx;
    Dialog calleeDialog;
    Request calleeInvite;
    String calleeCallId;
    boolean authTried;
    boolean provisional;
    boolean cancelPending;
    /** CSeq of the latest INVITE whose 2xx awaits an ACK, per leg we sent it on (0 = none). */
    long calleeInviteCseq;
    long callerInviteCseq;
    /** Any answer (even 100 Trying) to the current attempt: the carrier is alive. */
    boolean heardFromCallee;
    /** Pending timers, cancelled when the call ends so a long maximum duration holds no memory. */
    java.util.concurrent.ScheduledFuture<?> silenceTimer;
    java.util.concurrent.ScheduledFuture<?> maxDurationTimer;
    long attemptStartNanos;
    Instant answeredAt;
    Instant endedAt;
    String status = "initiated";
    Integer finalCode;
    String hangupSide;
    String reason;
    String errorCode;
    final List<Attempt> attempts = new ArrayList<>();
    /** Inbound: the trunk the call came in on (events' trunk_id); null for outbound calls. */
    Trunk inboundTrunk;
    /** Set by "set" actions; carried in every later event's variables. */
    final Map<String, String> variables = new LinkedHashMap<>();
    /** Inbound: the webhook's actions, the one running, and the forward targets of that action. */
    List<eu.minivoice.gateway.actions.Action> actions = List.of();
    int actionIndex = -1;
    List<String> forwardTargets = List.of();
    int forwardIndex = -1;
    int forwardTimeoutSeconds;
    /** The current attempt goes to the platform (a forward target) rather than a trunk. */
    boolean calleeInternal;
    java.util.concurrent.ScheduledFuture<?> ringTimer;
    Integer lastFailureCode;
    /** Holds one of the customer's concurrent-call slots (outbound admission or a dial action). */
    boolean customerSlot;
    /** An inbound call's dial action: the number called out and the caller ID used. */
    String dialTo;
    String dialFrom;
    int dialTimeoutSeconds;
    /** A 2xx to an INVITE went to that leg and its ACK has not come yet. */
    boolean callerAckPending;
    boolean calleeAckPending;
    /** In-dialog requests that overtook their sender's ACK (the stack's threads), held in order. */
    record Deferred(javax.sip.RequestEvent event, boolean fromCaller, ServerTransaction tx) {
    }

    final List<Deferred> deferred = new ArrayList<>(0);
    java.util.concurrent.ScheduledFuture<?> deferTimer;

    RelayCall(String id, String customerId, Request callerInvite, ServerTransaction callerTx, String callerToTag,
              String from, String to, Instant createdAt) {
        this(id, customerId, true, callerInvite, callerTx, callerToTag, from, to, createdAt);
    }

    RelayCall(String id, String customerId, boolean callerInternal, Request callerInvite, ServerTransaction callerTx,
              String callerToTag, String from, String to, Instant createdAt) {
        this.callerInternal = callerInternal;
        this.id = id;
        this.customerId = customerId;
        this.callerCallId = ((javax.sip.header.CallIdHeader) callerInvite.getHeader("Call-ID")).getCallId();
        this.callerInvite = callerInvite;
        this.callerTx = callerTx;
        this.callerToTag = callerToTag;
        this.from = from;
        this.to = to;
        this.createdAt = createdAt;
    }

    String trunkId() {
        Trunk t = inboundTrunk != null ? inboundTrunk : trunk;
        return t == null ? null : t.id();
    }

    CallInfo info(String status) {
        return new CallInfo(id, customerId, applicationId, trunkId(), status, direction(), from, to);
    }

    eu.minivoice.gateway.domain.CallRecord record() {
        return new eu.minivoice.gateway.domain.CallRecord(id, customerId, direction(), status, from, to,
                trunkId(), applicationId, callerInternal ? callerCallId : calleeCallId,
                callerInternal ? calleeCallId : callerCallId, finalCode, hangupSide,
                reason, errorCode, attemptsJson(), createdAt, answeredAt, endedAt);
    }

    String direction() {
        return callerInternal ? "outbound" : "inbound";
    }

    List<Map<String, Object>> attemptsJson() {
        return attempts.stream().map(Attempt::json).toList();
    }
}
