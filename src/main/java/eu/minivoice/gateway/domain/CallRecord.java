package eu.minivoice.gateway.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A call as stored and served by /v1/calls: both legs' SIP Call-IDs, the trunk, timestamps, the
 * final SIP code, who hung up and why, and every attempt ({@code trunk_id}, {@code sip_code},
 * {@code error}, {@code latency_ms}). {@code node} is the gateway node that carries (carried) the call:
 * the one a hang-up must reach (null for records from before nodes were recorded).
 */
public record CallRecord(String id, String customerId, String direction, String status, String from, String to,
                         String trunkId, String applicationId, String platformCallId, String carrierCallId,
                         Integer sipCode, String hangupSide, String reason, String errorCode, List<Map<String, Object>> attempts,
                         Instant createdAt, Instant answeredAt, Instant endedAt, String node) {

    /** Statuses of a call that has ended: its record changes no more. */
    public static final List<String> FINAL_STATUSES = List.of("completed", "failed", "busy", "no_answer", "canceled");

    public CallRecord {
        attempts = attempts == null ? List.of() : List.copyOf(attempts);
    }

    /** A version made by the node that carries the call (the store adds the node when it writes it). */
    public CallRecord(String id, String customerId, String direction, String status, String from, String to,
                      String trunkId, String applicationId, String platformCallId, String carrierCallId,
                      Integer sipCode, String hangupSide, String reason, String errorCode,
                      List<Map<String, Object>> attempts, Instant createdAt, Instant answeredAt, Instant endedAt) {
        this(id, customerId, direction, status, from, to, trunkId, applicationId, platformCallId, carrierCallId,
                sipCode, hangupSide, reason, errorCode, attempts, createdAt, answeredAt, endedAt, null);
    }

    public CallRecord withNode(String nodeId) {
        return new CallRecord(id, customerId, direction, status, from, to, trunkId, applicationId, platformCallId,
                carrierCallId, sipCode, hangupSide, reason, errorCode, attempts, createdAt, answeredAt, endedAt, nodeId);
    }

    /** Whether this version says the call is still up (or still being set up). */
    public boolean inProgress() {
        return !FINAL_STATUSES.contains(status);
    }

    /** Answered calls: seconds from answer to end (null while running or never answered). */
    public Long durationSeconds() {
        return answeredAt == null || endedAt == null ? null : Duration.between(answeredAt, endedAt).toSeconds();
    }
}
