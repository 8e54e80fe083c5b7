package eu.minivoice.gateway.sip.relay;

import eu.minivoice.gateway.domain.ErrorCode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Why a call ended, as data: made where the call ends, read by the call record (status, final
 * code, reason, error code, hang-up side), the final event ({@code call.completed} or
 * {@code call.failed} and its data) and the answer to the platform ({@code X-MiniVoice-Error},
 * {@code Retry-After}).
 *
 * @param sipCode    the final answer to the caller (null for a hang-up)
 * @param sipReason  the callee's reason phrase, when its answer is passed back
 * @param error      an error code of the one vocabulary, when the gateway refused or failed the call
 * @param hangupSide who hung up an answered call
 * @param hangupCause why an answered call ended (null for a call not answered)
 * @param redirectTo a redirect action's target
 * @param retryAfter seconds, for a refusal the platform may retry
 */
record EndCause(Reason reason, Integer sipCode, String sipReason, ErrorCode error, String message,
                Side hangupSide, HangupCause hangupCause, String redirectTo, Integer retryAfter) {

    /** The event's and record's {@code reason}. */
    enum Reason {
        HANGUP, BUSY, NO_ANSWER, CANCELED, REJECTED, ERROR;

        String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * A hang-up's side names the network: the platform (internal side) or a carrier, the gateway
     * itself, or the customer through the API (DELETE /v1/calls/{id}).
     */
    enum Side {
        PLATFORM, CARRIER, GATEWAY, API;

        static Side of(boolean internal) {
            return internal ? PLATFORM : CARRIER;
        }

        String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The {@code hangup_cause} of {@code call.completed}. */
    enum HangupCause {
        NORMAL_CLEARING, MAX_CALL_DURATION, GATEWAY_DRAIN, API_REQUEST,
        /**
         * A leg's 2xx handshake never completed: our 2xx was not ACKed within 64·T1 (32 s), or
         * the far leg's never was because its ACK never came to us (RFC 3261 §13.3.1.4).
         */
        ACK_TIMEOUT;

        String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    EndCause {
        Objects.requireNonNull(reason);
    }

    /** An answered call hung up by a leg (normal clearing). */
    static EndCause hangUp(Side side) {
        return new EndCause(Reason.HANGUP, null, null, null, null, side,
                side == Side.API ? HangupCause.API_REQUEST : HangupCause.NORMAL_CLEARING, null, null);
    }

    /** An answered call the gateway hung up at the end of a drain (shutdown.drain_seconds). */
    static EndCause drained() {
        return new EndCause(Reason.HANGUP, null, null, ErrorCode.DRAINING, "the gateway is shutting down",
                Side.GATEWAY, HangupCause.GATEWAY_DRAIN, null, null);
    }

    /**
     * An answered call the gateway ended because one of its legs never completed the 2xx/ACK
     * handshake (the stack's dialog timeout): a call whose media was perhaps never set up must not
     * stay up, holding slots, until the maximum duration.
     */
    static EndCause ackTimeout() {
        return new EndCause(Reason.HANGUP, null, null, null, null, Side.GATEWAY, HangupCause.ACK_TIMEOUT, null, null);
    }

    /** The record's reason of a completed call: a drain's end shows as such. */
    String completedReason() {
        return error == ErrorCode.DRAINING ? "drain" : "hangup";
    }

    /** An answered call ended by the gateway at relay.max_call_seconds. */
    static EndCause atMaxDuration() {
        return new EndCause(Reason.HANGUP, null, null, null, null, Side.GATEWAY, HangupCause.MAX_CALL_DURATION, null,
                null);
    }

    /** A final non-2xx answer passed to the caller (the callee's, or the application's reject). */
    static EndCause answered(int code, String sipReason) {
        return new EndCause(reasonOf(code), code, sipReason, null, null, null, null, null, null);
    }

    /** Refused or failed by the gateway, with a code of the one vocabulary. */
    static EndCause refused(int code, ErrorCode error, String message) {
        return refused(code, error, message, null);
    }

    static EndCause refused(int code, ErrorCode error, String message, Integer retryAfter) {
        return new EndCause(Reason.ERROR, code, null, Objects.requireNonNull(error), message, null, null, null,
                retryAfter);
    }

    /** The caller gave up (CANCEL) before an answer. */
    static EndCause canceled() {
        return new EndCause(Reason.CANCELED, 487, null, null, null, null, null, null, null);
    }

    /** The customer ended a call not answered yet (DELETE /v1/calls/{id}): like a CANCEL, 487 to its caller. */
    static EndCause canceledThroughApi() {
        return new EndCause(Reason.CANCELED, 487, null, null, null, Side.API, null, null, null);
    }

    /**
     * A call placed through the API whose carrier leg answered but whose platform leg
     * ({@code connect_to}) did not: the carrier leg is ended by the gateway.
     *
     * @param code the platform's final answer (408 for silence or a timeout, 503 when unreachable)
     */
    static EndCause connectFailed(int code, String sipReason) {
        return new EndCause(Reason.ERROR, code, sipReason, ErrorCode.CONNECT_FAILED,
                "connect_to did not answer the call (" + code + (sipReason == null ? "" : " " + sipReason) + ")",
                Side.GATEWAY, null, null, null);
    }

    /** A redirect action: 302 to the caller. */
    static EndCause redirected(String to) {
        return new EndCause(Reason.REJECTED, 302, null, null, null, null, null, to, null);
    }

    static Reason reasonOf(int code) {
        return switch (code) {
            case 486, 600 -> Reason.BUSY;
            case 408, 480 -> Reason.NO_ANSWER;
            case 487 -> Reason.CANCELED;
            case 403, 404, 603 -> Reason.REJECTED;
            default -> Reason.ERROR;
        };
    }

    boolean completed() {
        return reason == Reason.HANGUP;
    }

    String eventType() {
        return completed() ? "call.completed" : "call.failed";
    }

    /** The record's and events' status of the ended call. */
    String status() {
        return switch (reason) {
            case HANGUP -> "completed";
            case BUSY -> "busy";
            case NO_ANSWER -> "no_answer";
            case CANCELED -> "canceled";
            case REJECTED, ERROR -> "failed";
        };
    }

    /** The final event's data (docs/webhooks.md): every attempt, in every final event. */
    Map<String, Object> eventData(List<Map<String, Object>> attempts, long durationSeconds) {
        Map<String, Object> data = new LinkedHashMap<>();
        if (completed()) {
            data.put("hangup_side", hangupSide.wire());
            data.put("hangup_cause", hangupCause.wire());
            data.put("duration", durationSeconds);
        } else {
            data.put("reason", reason.wire());
            data.put("sip_code", sipCode);
            if (sipReason != null) {
                data.put("sip_reason", sipReason);
            }
            if (error != null) {
                data.put("error", Map.of("code", error.code(), "message", message == null ? "" : message));
            }
            if (redirectTo != null) {
                data.put("redirect_to", redirectTo);
            }
        }
        data.put("attempts", attempts);
        return data;
    }
}
