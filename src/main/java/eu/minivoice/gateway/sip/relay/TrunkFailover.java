package eu.minivoice.gateway.sip.relay;

import eu.minivoice.gateway.domain.AddressPolicy;
import eu.minivoice.gateway.domain.ProxyAddress;
import eu.minivoice.gateway.domain.Trunk;
import eu.minivoice.gateway.routing.OutboundRouter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sip.message.Request;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The trunk list of an outbound call or of an inbound call's dial action, tried in order: a trunk
 * at its own limit or whose proxy now resolves to a refused address is skipped; an attempt that
 * fails before any provisional with one of the trunk's {@code failover_codes} (or silence, a
 * timeout, a transport error) moves to the next trunk. Anything else, or no trunk left, goes to
 * the {@link Exhausted} continuation the plan was made with.
 */
final class TrunkFailover implements AttemptPlan {
    private static final Logger log = LoggerFactory.getLogger(TrunkFailover.class);

    /** What the trunk lists of all calls share. */
    record Services(OutboundRouter router, AddressPolicy targets, Function<String, Set<String>> proxyAddresses,
                    LegRequests requests, CalleeAttempts attempts, Teardown teardown) {
    }

    /** No (more) trunk to try: the last failure's code (null when none was tried) and reason. */
    @FunctionalInterface
    interface Exhausted {
        void exhausted(RelayCall call, Integer lastCode, String lastReason) throws Exception;
    }

    private final Services s;
    private final List<Trunk> trunks;
    private final Exhausted exhausted;
    private int index = -1;

    TrunkFailover(Services services, List<Trunk> trunks, Exhausted exhausted) {
        this.s = services;
        this.trunks = trunks;
        this.exhausted = exhausted;
    }

    /** Starts the next usable trunk's attempt, or gives up with the last failure. */
    void next(RelayCall call, Integer lastCode, String lastReason) throws Exception {
        while (++index < trunks.size()) {
            Trunk trunk = trunks.get(index);
            if (!s.router().tryTrunk(trunk)) {
                call.attempts.add(Attempt.onTrunk(trunk.id(), null, Attempt.TRUNK_LIMIT, 0));
                continue;
            }
            String refused = s.targets().refusalOfAny(s.proxyAddresses().apply(trunk.id()));
            if (refused != null) {
                s.router().trunkReleased(trunk.id());
                call.attempts.add(Attempt.onTrunk(trunk.id(), null, "address refused: " + refused, 0));
                lastCode = 503;
                lastReason = "address refused";
                log.warn("call {}: trunk {} skipped: its proxy resolves to {}", call.id, trunk.id(), refused);
                continue;
            }
            call.lastTrunk = trunk;
            Request invite;
            try {
                invite = s.requests().trunkInvite(call, trunk);
            } catch (Exception e) {
                s.router().trunkReleased(trunk.id());
                call.attempts.add(Attempt.onTrunk(trunk.id(), null, "transport error: " + e.getMessage(), 0));
                lastCode = 503;
                lastReason = "transport error";
                log.info("call {}: trunk {} not reachable: {}", call.id, trunk.id(), e.toString());
                continue;
            }
            Leg leg = Leg.toTrunk(trunk, invite, false);
            leg.trunkSlot = true;
            ProxyAddress proxy = trunk.spec().proxyAddress();
            s.attempts().send(call, leg, proxy.host(), proxy.effectivePort(), proxy.transport().token(), sent -> { },
                    reason -> {
                        s.teardown().releaseTrunk(leg);
                        call.attempts.add(Attempt.onTrunk(trunk.id(), null, reason, 0));
                        log.info("call {}: trunk {} not reachable: {}", call.id, trunk.id(), reason);
                        next(call, 503, "transport error");
                    });
            return;
        }
        exhausted.exhausted(call, lastCode, lastReason);
    }

    @Override
    public void attemptFailed(RelayCall call, Leg leg, int code, String reason) throws Exception {
        if (!leg.provisional && leg.trunk.spec().failoverCodeSet().contains(code)) {
            log.info("call {}: trunk {} answered {}; trying the next trunk", call.id, leg.trunk.id(), code);
            next(call, code, reason);
        } else {
            exhausted.exhausted(call, code, reason);
        }
    }
}
