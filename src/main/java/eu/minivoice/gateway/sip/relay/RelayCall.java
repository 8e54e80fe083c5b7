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
 * One relayed call: the platform leg (the INVITE server transaction and its dialog) and the
 * current carrier attempt. Guarded by its own monitor — SIP threads for both legs may touch it.
 */
final class RelayCall {
    /** One try on one trunk: kept on the call and in its events. */
    record Attempt(String trunkId, Integer code, String error, long latencyMillis) {
        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("trunk_id", trunkId);
            m.put("sip_code", code);
            m.put("error", error);
            m.put("latency_ms", latencyMillis);
            return m;
        }
    }

    final String id;
    final String customerId;
    final String platformCallId;
    final Request platformInvite;
    final ServerTransaction platformTx;
    final String platformToTag;
    final String from;
    final String to;
    final Instant createdAt;
    /** Where the call's events go: the first selected trunk's application (kept for the whole call). */
    String applicationId;
    Dialog platformDialog;
    CallState state = CallState.ROUTING;
    List<Trunk> trunks = List.of();
    int trunkIndex = -1;
    Trunk trunk;
    ClientTransaction carrierTx;
    Dialog carrierDialog;
    Request carrierInvite;
    String carrierCallId;
    boolean authTried;
    boolean provisional;
    boolean cancelPending;
    /** CSeq of the latest INVITE whose 2xx awaits an ACK, per leg we sent it on (0 = none). */
    long carrierInviteCseq;
    long platformInviteCseq;
    /** Any answer (even 100 Trying) to the current attempt: the carrier is alive. */
    boolean heardFromCarrier;
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

    RelayCall(String id, String customerId, Request platformInvite, ServerTransaction platformTx, String platformToTag,
              String from, String to, Instant createdAt) {
        this.id = id;
        this.customerId = customerId;
        this.platformCallId = ((javax.sip.header.CallIdHeader) platformInvite.getHeader("Call-ID")).getCallId();
        this.platformInvite = platformInvite;
        this.platformTx = platformTx;
        this.platformToTag = platformToTag;
        this.from = from;
        this.to = to;
        this.createdAt = createdAt;
    }

    CallInfo info(String status) {
        return new CallInfo(id, customerId, applicationId, trunk == null ? null : trunk.id(), status, "outbound", from, to);
    }

    eu.minivoice.gateway.domain.CallRecord record() {
        return new eu.minivoice.gateway.domain.CallRecord(id, customerId, "outbound", status, from, to,
                trunk == null ? null : trunk.id(), applicationId, platformCallId, carrierCallId, finalCode, hangupSide,
                reason, errorCode, attemptsJson(), createdAt, answeredAt, endedAt);
    }

    List<Map<String, Object>> attemptsJson() {
        return attempts.stream().map(Attempt::json).toList();
    }
}
