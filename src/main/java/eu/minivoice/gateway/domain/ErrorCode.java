package eu.minivoice.gateway.domain;

import java.util.Locale;

/**
 * The one error vocabulary (STYLE habit 7): the API's error.code, the SIP X-MiniVoice-Error header
 * and events' data.error.code all use these names. docs/api.md lists them with their HTTP status.
 */
public enum ErrorCode {
    UNAUTHORIZED,
    NOT_FOUND,
    METHOD_NOT_ALLOWED,
    BAD_REQUEST,
    INVALID_JSON,
    VALIDATION_FAILED,
    CONFLICT,
    PAYLOAD_TOO_LARGE,
    OVERLOADED,
    RATE_LIMITED,
    QUOTA_EXCEEDED,
    NO_ACTIVE_TRUNK,
    INVALID_DESTINATION,
    CALLER_ID_NOT_VERIFIED,
    LIMIT_EXCEEDED,
    // SIP-side refusals of a malformed or hostile INVITE (docs/relay.md)
    INVALID_REQUEST,
    INVALID_CALL_ID,
    DUPLICATE_CALL_ID,
    TOO_MANY_HOPS,
    LOOP_DETECTED,
    MESSAGE_TOO_LARGE,
    UNSUPPORTED_EXTENSION,
    UNSUPPORTED_MEDIA_TYPE,
    // Inbound matching and routing (docs/inbound.md)
    UNKNOWN_SOURCE,
    NO_ROUTE,
    INTERNAL_ERROR,
    // A call record its node left open when it stopped, ended at the node's next start (docs/storage.md)
    NODE_RESTART,
    // A call record of a node that went silent, ended by another node of the cluster (docs/scale-out.md)
    NODE_LOST,
    // DELETE /v1/calls/{id}: the node that carries the call did not confirm in time (503, docs/scale-out.md)
    NODE_UNREACHABLE,
    // The gateway is draining (SIGTERM): new calls refused with 503; calls still up at the end ended (docs/operations.md)
    DRAINING,
    // A call placed through the API (POST /v1/calls) whose connect_to did not answer: its carrier leg ended (docs/calls.md)
    CONNECT_FAILED;

    /** The snake_case code as it appears on the wire. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
