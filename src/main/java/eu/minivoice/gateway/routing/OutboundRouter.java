package eu.minivoice.gateway.routing;

import eu.minivoice.gateway.domain.E164;
import eu.minivoice.gateway.domain.ErrorCode;
import eu.minivoice.gateway.domain.PhoneNumber;
import eu.minivoice.gateway.domain.RegistrationStatus;
import eu.minivoice.gateway.domain.Trunk;
import eu.minivoice.gateway.domain.TrunkDirection;
import eu.minivoice.gateway.domain.TrunkHealth;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Outbound admission and trunk selection (docs/product.md §4 steps 1–2), in memory: the customers' trunks
 * and numbers are indexed here and kept current by change notifications, so the SIP thread that
 * asks never waits on the database. Pure apart from those indexes; unit-tested.
 *
 * <p>Order of checks: destination (484 {@code invalid_destination}), caller ID (403
 * {@code caller_id_not_verified}), customer limits (503 {@code limit_exceeded}), then trunks:
 * the pinned one, or the customer's active outbound-capable trunks by priority (lower first, then
 * name), skipping those whose registration FAILED or whose OPTIONS health is DOWN. None left:
 * 503 {@code no_active_trunk}.
 */
public final class OutboundRouter {
    /** What the registration engine knows about a trunk now. */
    public interface TrunkState {
        Optional<RegistrationStatus> registration(String trunkId);

        Optional<TrunkHealth> health(String trunkId);
    }

    /** Customer-wide limits (the customer's quotas); null = unlimited. */
    public record CustomerLimits(Integer maxConcurrentCalls, Integer maxCps) {
    }

    private final Map<String, Map<String, Trunk>> trunks = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> numbers = new ConcurrentHashMap<>();
    private final TrunkState state;
    private final CallLimiter limiter;
    /** Customer id → its limits, from memory (the operator sets them per customer). */
    private final java.util.function.Function<String, CustomerLimits> customerLimits;

    public OutboundRouter(TrunkState state, CallLimiter limiter,
                          java.util.function.Function<String, CustomerLimits> customerLimits) {
        this.state = state;
        this.limiter = limiter;
        this.customerLimits = customerLimits;
    }

    /** Trunk created (before null), changed, or deleted (after null). */
    public void trunkChanged(Trunk before, Trunk after) {
        if (before != null) {
            Map<String, Trunk> m = trunks.get(before.customerId());
            if (m != null) {
                m.remove(before.id());
            }
        }
        if (after != null) {
            trunks.computeIfAbsent(after.customerId(), k -> new ConcurrentHashMap<>()).put(after.id(), after);
        }
    }

    /** Number created (before null), changed, or deleted (after null). */
    public void numberChanged(PhoneNumber before, PhoneNumber after) {
        if (before != null) {
            Set<String> s = numbers.get(before.customerId());
            if (s != null) {
                s.remove(before.number());
            }
        }
        if (after != null) {
            numbers.computeIfAbsent(after.customerId(), k -> ConcurrentHashMap.newKeySet()).add(after.number());
        }
    }

    /**
     * @param trunkPin    X-MiniVoice-Trunk (an id or a gateway_name), or null
     * @param destination the Request-URI user as sent
     * @param callerId    the From user as sent
     */
    public OutboundDecision decide(String customerId, String trunkPin, String destination, String callerId) {
        Optional<String> to = E164.normalise(destination);
        if (to.isEmpty()) {
            return new OutboundDecision.Rejected(484, ErrorCode.INVALID_DESTINATION,
                    "destination must be an E.164 number such as +15551230003", null);
        }
        Optional<String> from = E164.normalise(callerId);
        if (from.isEmpty() || !numbers.getOrDefault(customerId, Set.of()).contains(from.get())) {
            return new OutboundDecision.Rejected(403, ErrorCode.CALLER_ID_NOT_VERIFIED,
                    "caller ID must be one of the customer's numbers (/v1/numbers)", null);
        }
        List<Trunk> candidates = candidates(customerId, trunkPin);
        if (candidates.isEmpty()) {
            return new OutboundDecision.Rejected(503, ErrorCode.NO_ACTIVE_TRUNK,
                    "no active outbound trunk available", null);
        }
        CustomerLimits limits = customerLimits.apply(customerId);
        if (limiter.tryAcquire(customerKey(customerId), limits.maxConcurrentCalls(), limits.maxCps()) != null) {
            return new OutboundDecision.Rejected(503, ErrorCode.LIMIT_EXCEEDED,
                    "the customer's concurrent call or calls-per-second limit is reached", 1);
        }
        return new OutboundDecision.Routed(customerId, to.get(), from.get(), candidates);
    }

    /** Takes a slot on the trunk for one attempt; false when the trunk is at its limit (skip it). */
    public boolean tryTrunk(Trunk trunk) {
        return limiter.tryAcquire(trunkKey(trunk.id()), trunk.spec().maxConcurrentCalls(), trunk.spec().maxCps()) == null;
    }

    /** An attempt on a trunk ended (failed over, or the call ended). */
    public void trunkReleased(String trunkId) {
        limiter.release(trunkKey(trunkId));
    }

    /** The call ended: gives back the customer's slot taken by {@link #decide}. */
    public void released(String customerId) {
        limiter.release(customerKey(customerId));
    }

    private List<Trunk> candidates(String customerId, String pin) {
        Map<String, Trunk> mine = trunks.getOrDefault(customerId, Map.of());
        List<Trunk> out = new ArrayList<>();
        if (pin != null) {
            Trunk pinned = mine.get(pin);
            if (pinned == null) {
                pinned = mine.values().stream().filter(t -> t.spec().gatewayName().equals(pin)).findFirst().orElse(null);
            }
            if (pinned != null && usable(pinned)) {
                out.add(pinned);
            }
            return out;
        }
        for (Trunk t : mine.values()) {
            if (usable(t)) {
                out.add(t);
            }
        }
        out.sort(Comparator.comparingInt((Trunk t) -> t.spec().priority()).thenComparing(t -> t.spec().name()));
        return out;
    }

    private boolean usable(Trunk t) {
        if (!t.spec().active() || t.spec().direction() == TrunkDirection.INBOUND) {
            return false;
        }
        if (state.registration(t.id()).filter(s -> s == RegistrationStatus.FAILED).isPresent()) {
            return false;
        }
        return state.health(t.id()).filter(h -> h == TrunkHealth.DOWN).isEmpty();
    }

    private static String customerKey(String customerId) {
        return "customer:" + customerId;
    }

    private static String trunkKey(String trunkId) {
        return "trunk:" + trunkId;
    }
}
