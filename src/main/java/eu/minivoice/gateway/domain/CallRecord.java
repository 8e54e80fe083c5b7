package eu.minivoice.gateway.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A call as stored and served by /v1/calls: both legs' SIP Call-IDs, the trunk, timestamps, the
 * final SIP code, who hung up and why, and every attempt ({@code trunk_id}, {@code sip_code},
 * {@code error}, {@code latency_ms}).
 */
public record CallRecord(String id, String customerId, String direction, String status, String from, String to,
                         String trunkId, String applicationId, String platformCallId, String carrierCallId,
                         Integer sipCode, String hangupSide, String reason, String errorCode, List<Map<String, Object>> attempts,
                         Instant createdAt, Instant answeredAt, Instant endedAt) {

    /** Statuses of a call that has ended: its record changes no more. */
    public static final List<String> FINAL_STATUSES = List.of("completed", "failed", "busy", "no_answer", "canceled");

    public CallRecord {
        attempts = attempts == null ? List.of() : List.copyOf(attempts);
    }

    /** Answered calls: seconds from answer to end (null while running or never answered). */
    public Long durationSeconds() {
        return answeredAt == null || endedAt == null ? null : Duration.between(answeredAt, endedAt).toSeconds();
    }
}
