package eu.minivoice.gateway.routing;

import eu.minivoice.gateway.domain.ErrorCode;
import eu.minivoice.gateway.domain.Trunk;

import java.util.List;

/** What happens to a platform INVITE before any carrier traffic (docs/product.md §4 steps 1–2). */
public sealed interface OutboundDecision {
    /**
     * Answer the platform with {@code sipStatus}; {@code code} goes in {@code X-MiniVoice-Error}
     * and in the call's {@code call.failed} event.
     */
    record Rejected(int sipStatus, ErrorCode code, String message, Integer retryAfterSeconds)
            implements OutboundDecision {
    }

    /**
     * Try {@code trunks} in order (failover). The customer's call slot is held: the relay must call
     * {@link OutboundRouter#released} when the call ends, and take a trunk slot per attempt with
     * {@link OutboundRouter#tryTrunk}.
     */
    record Routed(String customerId, String destination, String callerId, List<Trunk> trunks)
            implements OutboundDecision {
        public Routed {
            trunks = List.copyOf(trunks);
        }
    }
}
