package eu.minivoice.gateway.sip.relay;

import eu.minivoice.gateway.domain.AddressPolicy;
import eu.minivoice.gateway.domain.SipTarget;
import eu.minivoice.gateway.sip.dns.DnsFailure;
import eu.minivoice.gateway.domain.Trunk;
import eu.minivoice.gateway.routing.OutboundRouter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sip.message.Request;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
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
    record Services(RelayContext ctx, OutboundRouter router, AddressPolicy targets,
                    Function<String, Set<String>> proxyAddresses, LegRequests requests, CalleeAttempts attempts,
                    Teardown teardown) {
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
    /** The current trunk's located servers and the one being tried. */
    private List<SipTarget> servers = List.of();
    private int server;
    /** Which lookup is current: a late answer for an earlier trunk is ignored. */
    private int lookups;

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
            int lookup = ++lookups;
            CompletableFuture<List<SipTarget>> found = s.ctx().locate(s.requests().proxyOf(trunk));
            if (found.isDone()) { // a literal proxy, or a cached name: go on in this step
                located(call, trunk, lookup, found);
            } else {
                found.whenComplete((r, e) -> call.locked("trying trunk " + trunk.id(), () -> located(call, trunk, lookup, found)));
            }
            return;
        }
        exhausted.exhausted(call, lastCode, lastReason);
    }

    /** The trunk's proxy located (or not): its first server, or the next trunk. */
    private void located(RelayCall call, Trunk trunk, int lookup, CompletableFuture<List<SipTarget>> found) throws Exception {
        if (lookup != lookups || call.ended()) {
            s.router().trunkReleased(trunk.id()); // the caller gave up meanwhile
            return;
        }
        List<SipTarget> list;
        try {
            list = found.join();
        } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
            s.router().trunkReleased(trunk.id());
            String reason = DnsFailure.reason(e);
            call.attempts.add(Attempt.onTrunk(trunk.id(), null, reason, 0));
            log.info("call {}: trunk {} skipped: {}", call.id, trunk.id(), reason);
            next(call, 503, "proxy not found");
            return;
        }
        Set<String> addresses = SipTarget.hosts(list);
        String refused = s.targets().refusalOfAny(addresses);
        if (refused != null) {
            s.router().trunkReleased(trunk.id());
            call.attempts.add(Attempt.onTrunk(trunk.id(), null, "address refused: " + refused, 0));
            log.warn("call {}: trunk {} skipped: its proxy resolves to {}", call.id, trunk.id(), refused);
            next(call, 503, "address refused");
            return;
        }
        servers = list;
        tryServer(call, trunk, 0, true);
    }

    /** An INVITE to server {@code i} of the trunk's proxy; {@code slotHeld}: the trunk slot is already taken. */
    private void tryServer(RelayCall call, Trunk trunk, int i, boolean slotHeld) throws Exception {
        if (!slotHeld && !s.router().tryTrunk(trunk)) {
            call.attempts.add(Attempt.onTrunk(trunk.id(), null, Attempt.TRUNK_LIMIT, 0));
            next(call, 503, "trunk limit reached");
            return;
        }
        server = i;
        SipTarget target = servers.get(i);
        Request invite;
        try {
            invite = s.requests().trunkInvite(call, trunk, target);
        } catch (Exception e) {
            s.router().trunkReleased(trunk.id());
            call.attempts.add(Attempt.onTrunk(trunk.id(), null, "transport error: " + e.getMessage(), 0));
            log.info("call {}: trunk {} not reachable: {}", call.id, trunk.id(), e.toString());
            next(call, 503, "transport error");
            return;
        }
        Leg leg = Leg.toTrunk(trunk, invite, false);
        leg.trunkSlot = true;
        s.attempts().send(call, leg, target, sent -> { }, reason -> {
            s.teardown().releaseTrunk(leg);
            call.attempts.add(Attempt.onTrunk(trunk.id(), null, reason, 0));
            log.info("call {}: trunk {} server {} not reachable: {}", call.id, trunk.id(), target, reason);
            if (i + 1 < servers.size()) {
                tryServer(call, trunk, i + 1, false);
            } else {
                next(call, 503, "transport error");
            }
        });
    }

    @Override
    public void attemptFailed(RelayCall call, Leg leg, int code, String reason) throws Exception {
        // RFC 3263 §4.3: silence, a transport error or a 503 before any provisional moves the same
        // call to the proxy's next server first (another SRV target or address), then to the next trunk.
        if (!leg.provisional && (code == 503 || code == 408) && index < trunks.size() && leg.trunk == trunks.get(index)
                && server + 1 < servers.size()) {
            log.info("call {}: trunk {} server {} answered {}; trying its next server", call.id, leg.trunk.id(),
                    servers.get(server), code);
            tryServer(call, leg.trunk, server + 1, false);
        } else if (!leg.provisional && leg.trunk.spec().failoverCodeSet().contains(code)) {
            log.info("call {}: trunk {} answered {}; trying the next trunk", call.id, leg.trunk.id(), code);
            next(call, code, reason);
        } else {
            exhausted.exhausted(call, code, reason);
        }
    }
}
