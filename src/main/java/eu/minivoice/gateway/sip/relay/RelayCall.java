package eu.minivoice.gateway.sip.relay;

import eu.minivoice.gateway.domain.CallInfo;
import eu.minivoice.gateway.domain.CallRecord;
import eu.minivoice.gateway.domain.Trunk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One relayed call, in either direction: the caller leg (the platform for outbound calls, a
 * carrier for inbound ones), the current callee leg, the state ({@link CallTransitions}) and, once
 * over, its {@link EndCause}. Guarded by its own monitor: SIP threads of both legs, timers,
 * webhook completions and connect-gate threads all take it before touching the call.
 */
final class RelayCall {
    private static final Logger log = LoggerFactory.getLogger(RelayCall.class);

    final String id;
    final String customerId;
    final Leg caller;
    /** Our To tag towards the caller (every answer of its INVITE carries it). */
    final String callerToTag;
    final String from;
    final String to;
    final Instant createdAt;
    /** Where the call's events go: the first selected trunk's application, or the inbound route's. */
    String applicationId;
    /** Inbound: the trunk the call came in on (events' trunk_id); null for outbound calls. */
    Trunk inboundTrunk;
    /** The trunk of the latest trunk attempt: an outbound call's trunk in its record and events. */
    Trunk lastTrunk;
    /** The callee leg in progress or answered; null between attempts. */
    Leg callee;
    /** The latest callee Call-ID (the record keeps it after the leg is gone). */
    String calleeCallId;
    /** What comes after a failed attempt: the trunk list or the application's actions. */
    AttemptPlan plan;
    /** Counts callee sends: a send that waited for a connection checks it is still the current one. */
    int attemptSeq;
    final List<Attempt> attempts = new ArrayList<>();
    /** Set by "set" actions; carried in every later event's variables. */
    final Map<String, String> variables = new LinkedHashMap<>();
    /** Holds one of the customer's concurrent-call slots (outbound admission or a dial action). */
    boolean customerSlot;
    /** An inbound call's dial action: the number called out and the caller ID used. */
    String dialTo;
    String dialFrom;
    /** A forward target's or a dial action's no-answer timeout, and the maximum call duration. */
    RelayContext.Cancellable ringTimer;
    RelayContext.Cancellable maxDurationTimer;
    /**
     * A call placed through the API: its platform leg (the caller slot) is ours to send once the
     * carrier answers; null for relayed calls.
     */
    ConnectLeg connect;

    private CallState state = CallState.ROUTING;
    /** A callee rang (180/183) at some point: the status stays "ringing" until answered or ended. */
    private boolean rang;
    private EndCause endCause;
    private Integer finalCode;
    private Instant answeredAt;
    private Instant endedAt;

    RelayCall(String id, String customerId, Leg caller, String callerToTag, String from, String to, Instant createdAt) {
        this.id = id;
        this.customerId = customerId;
        this.caller = caller;
        this.callerToTag = callerToTag;
        this.from = from;
        this.to = to;
        this.createdAt = createdAt;
    }

    /** A step of a call that may fail (it sends). */
    @FunctionalInterface
    interface Step {
        void run() throws Exception;
    }

    /**
     * Runs a step of this call under its monitor: how answers, timers, connect threads and webhook
     * completions enter a call. A failure is logged with what was being done; the call goes on
     * (its timers still end it).
     */
    void locked(String what, Step step) {
        synchronized (this) {
            // The call's id on every log line of the step (call_id in JSON logs, docs/operations.md).
            org.slf4j.MDC.put("call_id", id);
            try {
                step.run();
            } catch (Exception e) {
                log.warn("call {}: {} failed: {}", id, what, e.toString());
            } finally {
                org.slf4j.MDC.remove("call_id");
            }
        }
    }

    CallState state() {
        return state;
    }

    boolean ended() {
        return state == CallState.ENDED;
    }

    /** The only way the state changes. @throws IllegalStateException for a transition not in the table */
    void setState(CallState next, Object cause) {
        if (!CallTransitions.allowed(state, next)) {
            throw new IllegalStateException("call " + id + ": illegal transition " + state + " -> " + next + " (" + cause + ")");
        }
        log.debug("call {}: {} -> {} ({})", id, state, next, cause);
        state = next;
    }

    void rang() {
        rang = true;
    }

    void answered(int code, Instant at) {
        setState(CallState.ANSWERED, code);
        finalCode = code;
        answeredAt = at;
    }

    void ended(EndCause cause, Instant at) {
        setState(CallState.ENDED, cause.reason().wire());
        endCause = cause;
        endedAt = at;
        if (answeredAt == null) {
            finalCode = cause.sipCode();
        }
    }

    EndCause endCause() {
        return endCause;
    }

    Instant answeredAt() {
        return answeredAt;
    }

    /** The record's and events' status, from the state (never stored beside it). */
    String status() {
        return switch (state) {
            case ENDED -> endCause.status();
            case ANSWERED -> "answered";
            default -> rang ? "ringing" : "initiated";
        };
    }

    boolean outbound() {
        return caller.internal;
    }

    /** Answered, with both legs up: in-dialog requests may be carried across (a placed call once connected). */
    boolean bridged() {
        return state == CallState.ANSWERED && (connect == null || connect.bridged());
    }

    /** The leg across from this one. */
    Leg other(Leg leg) {
        return leg == caller ? callee : caller;
    }

    /** Without a valid customer nobody could see the call's record or receive its events. */
    boolean hasCustomer() {
        return customerId != null && !customerId.isBlank() && customerId.length() <= 80;
    }

    String trunkId() {
        Trunk t = inboundTrunk != null ? inboundTrunk : lastTrunk;
        return t == null ? null : t.id();
    }

    CallInfo info(String status) {
        return new CallInfo(id, customerId, applicationId, trunkId(), status, direction(), from, to);
    }

    CallInfo info() {
        return info(status());
    }

    CallRecord record() {
        return new CallRecord(id, customerId, direction(), status(), from, to, trunkId(), applicationId,
                outbound() ? caller.callId : calleeCallId, outbound() ? calleeCallId : caller.callId, finalCode,
                endCause != null && endCause.hangupSide() != null ? endCause.hangupSide().wire() : null,
                endCause == null ? null : endCause.completed() ? endCause.completedReason() : endCause.reason().wire(),
                endCause != null && endCause.error() != null ? endCause.error().code() : null,
                attemptsJson(), createdAt, answeredAt, endedAt);
    }

    String direction() {
        return outbound() ? "outbound" : "inbound";
    }

    List<Map<String, Object>> attemptsJson() {
        return attempts.stream().map(Attempt::json).toList();
    }
}
