package eu.minivoice.gateway.routing;

import eu.minivoice.gateway.domain.ErrorCode;
import eu.minivoice.gateway.domain.PhoneNumber;
import eu.minivoice.gateway.domain.RegistrationStatus;
import eu.minivoice.gateway.domain.Trunk;
import eu.minivoice.gateway.domain.TrunkDirection;
import eu.minivoice.gateway.domain.TrunkHealth;
import eu.minivoice.gateway.domain.TrunkSpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OutboundRouterTest {
    private final Map<String, RegistrationStatus> registration = new HashMap<>();
    private final Map<String, TrunkHealth> health = new HashMap<>();
    private long nanos = 0;
    private OutboundRouter router;

    private static Trunk trunk(String id, String customer, int priority, boolean active, TrunkDirection dir,
                               Integer maxCalls) {
        TrunkSpec spec = new TrunkSpec("name-" + id, "sip.carrier.example", "u", "p", null, null, null, active,
                "gw-" + id, dir, priority, null, 3600, 0, null, maxCalls, null, null);
        return new Trunk(id, customer, spec, Instant.EPOCH, Instant.EPOCH);
    }

    @BeforeEach
    void setUp() {
        router = new OutboundRouter(new OutboundRouter.TrunkState() {
            @Override
            public Optional<RegistrationStatus> registration(String trunkId) {
                return Optional.ofNullable(registration.get(trunkId));
            }

            @Override
            public Optional<TrunkHealth> health(String trunkId) {
                return Optional.ofNullable(health.get(trunkId));
            }
        }, new CallLimiter(() -> nanos), customer -> customer.equals("cust_a")
                ? new OutboundRouter.CustomerLimits(2, null) : new OutboundRouter.CustomerLimits(null, null));
        router.numberChanged(null, new PhoneNumber("num_1", "cust_a", "+15551230001", null, null, Instant.EPOCH,
                Instant.EPOCH));
        router.trunkChanged(null, trunk("trunk_b", "cust_a", 20, true, TrunkDirection.BOTH, null));
        router.trunkChanged(null, trunk("trunk_a", "cust_a", 10, true, TrunkDirection.OUTBOUND, null));
        router.trunkChanged(null, trunk("trunk_in", "cust_a", 1, true, TrunkDirection.INBOUND, null));
        router.trunkChanged(null, trunk("trunk_off", "cust_a", 1, false, TrunkDirection.BOTH, null));
        router.trunkChanged(null, trunk("trunk_x", "cust_other", 1, true, TrunkDirection.BOTH, null));
    }

    private static List<String> ids(OutboundDecision d) {
        return ((OutboundDecision.Routed) d).trunks().stream().map(Trunk::id).toList();
    }

    private static void assertRejected(OutboundDecision d, int status, ErrorCode code) {
        OutboundDecision.Rejected r = assertInstanceOf(OutboundDecision.Rejected.class, d);
        assertEquals(status, r.sipStatus());
        assertEquals(code, r.code());
    }

    @Test
    void activeOutboundTrunksInPriorityOrderOfTheCustomerOnly() {
        OutboundDecision d = router.decide("cust_a", null, "+1 555 123 0003", "+15551230001");
        assertEquals(List.of("trunk_a", "trunk_b"), ids(d));
        assertEquals("+15551230003", ((OutboundDecision.Routed) d).destination());
    }

    @Test
    void failedRegistrationsAndDownTrunksAreSkipped() {
        registration.put("trunk_a", RegistrationStatus.FAILED);
        assertEquals(List.of("trunk_b"), ids(router.decide("cust_a", null, "+15551230003", "+15551230001")));
        health.put("trunk_b", TrunkHealth.DOWN);
        assertRejected(router.decide("cust_a", null, "+15551230003", "+15551230001"), 503, ErrorCode.NO_ACTIVE_TRUNK);
        registration.put("trunk_a", RegistrationStatus.FAIL_WAIT);
        assertEquals(List.of("trunk_a"), ids(router.decide("cust_a", null, "+15551230003", "+15551230001")),
                "FAIL_WAIT is a transient failure: still tried");
    }

    @Test
    void aPinSelectsByIdOrGatewayNameAndNeverAnotherCustomersTrunk() {
        assertEquals(List.of("trunk_b"), ids(router.decide("cust_a", "trunk_b", "+15551230003", "+15551230001")));
        assertEquals(List.of("trunk_b"), ids(router.decide("cust_a", "gw-trunk_b", "+15551230003", "+15551230001")));
        assertRejected(router.decide("cust_a", "trunk_x", "+15551230003", "+15551230001"), 503, ErrorCode.NO_ACTIVE_TRUNK);
        assertRejected(router.decide("cust_a", "trunk_off", "+15551230003", "+15551230001"), 503,
                ErrorCode.NO_ACTIVE_TRUNK);
    }

    @Test
    void badDestinationsAndUnverifiedCallerIdsAreRefusedFirst() {
        assertRejected(router.decide("cust_a", null, "5551230003", "+15551230001"), 484, ErrorCode.INVALID_DESTINATION);
        assertRejected(router.decide("cust_a", null, "alice", "+15551230001"), 484, ErrorCode.INVALID_DESTINATION);
        assertRejected(router.decide("cust_a", null, "+15551230003", "+15559999999"), 403,
                ErrorCode.CALLER_ID_NOT_VERIFIED);
        assertRejected(router.decide("cust_other", null, "+15551230003", "+15551230001"), 403,
                ErrorCode.CALLER_ID_NOT_VERIFIED);
        router.numberChanged(new PhoneNumber("num_1", "cust_a", "+15551230001", null, null, Instant.EPOCH,
                Instant.EPOCH), null);
        assertRejected(router.decide("cust_a", null, "+15551230003", "+15551230001"), 403,
                ErrorCode.CALLER_ID_NOT_VERIFIED);
    }

    @Test
    void customerAndTrunkLimits() {
        assertInstanceOf(OutboundDecision.Routed.class, router.decide("cust_a", null, "+15551230003", "+15551230001"));
        assertInstanceOf(OutboundDecision.Routed.class, router.decide("cust_a", null, "+15551230003", "+15551230001"));
        OutboundDecision third = router.decide("cust_a", null, "+15551230003", "+15551230001");
        assertRejected(third, 503, ErrorCode.LIMIT_EXCEEDED);
        assertEquals(1, ((OutboundDecision.Rejected) third).retryAfterSeconds());
        router.released("cust_a");
        assertInstanceOf(OutboundDecision.Routed.class, router.decide("cust_a", null, "+15551230003", "+15551230001"));

        Trunk one = trunk("trunk_one", "cust_a", 5, true, TrunkDirection.BOTH, 1);
        assertTrue(router.tryTrunk(one));
        assertFalse(router.tryTrunk(one), "the trunk's single call slot is taken");
        router.trunkReleased("trunk_one");
        assertTrue(router.tryTrunk(one));
    }

    @Test
    void trunkChangesTakeEffectAtOnce() {
        router.trunkChanged(trunk("trunk_a", "cust_a", 10, true, TrunkDirection.OUTBOUND, null),
                trunk("trunk_a", "cust_a", 30, true, TrunkDirection.OUTBOUND, null));
        assertEquals(List.of("trunk_b", "trunk_a"), ids(router.decide("cust_a", null, "+15551230003", "+15551230001")));
        router.trunkChanged(trunk("trunk_b", "cust_a", 20, true, TrunkDirection.BOTH, null), null);
        assertEquals(List.of("trunk_a"), ids(router.decide("cust_a", null, "+15551230003", "+15551230001")));
    }
}
