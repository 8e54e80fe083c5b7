package eu.minivoice.gateway.domain;

import java.util.Optional;

/**
 * Calls placed and ended through the API (POST and DELETE /v1/calls, docs/calls.md): what the
 * API side needs of the SIP relay, without depending on it. Implementations never wait on a peer:
 * placing answers once the call is admitted and its first attempt started.
 */
public interface CallControl {
    /**
     * A call the gateway places itself: {@code to} through one of the customer's trunks, connected
     * to the platform URI {@code connectTo} once answered.
     *
     * @param connectTo a checked SIP URI (its host a vetted address)
     * @param trunk     a trunk id or gateway_name to use alone, or null for the customer's trunks by priority
     */
    record Origination(String customerId, String to, String from, String connectTo, String trunk) {
    }

    /** What placing a call did. */
    sealed interface Placement {
    }

    /** The call exists (status initiated) and its first attempt is on its way. */
    record Placed(CallRecord call) implements Placement {
    }

    /** Refused before anything was sent, with the code the SIP side would use ({@code retryAfterSeconds} may be null). */
    record Refused(ErrorCode code, String message, Integer retryAfterSeconds) implements Placement {
    }

    /** What asking to hang up found. */
    enum HangUp {
        /** The call was in progress on this node: its legs are being ended (BYE or CANCEL). */
        ENDING,
        /** No call of this customer with this id is in progress here. */
        NOT_IN_PROGRESS
    }

    Placement place(Origination origination);

    HangUp hangUp(String customerId, String callId);

    /** The record of a call in progress on this node, as it is now. */
    Optional<CallRecord> inProgress(String customerId, String callId);
}
