package eu.minivoice.gateway.routing;

import eu.minivoice.gateway.domain.PhoneNumber;
import eu.minivoice.gateway.domain.Trunk;
import eu.minivoice.gateway.domain.TrunkDirection;
import eu.minivoice.gateway.domain.TrunkSpec;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Instant;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InboundMatcherTest {
    private final InboundMatcher matcher = new InboundMatcher(t -> t.spec().proxy().startsWith("198.51.100.9")
            ? Set.of("198.51.100.9") : Set.of());

    private static Trunk trunk(String id, String customer, String inboundIp, String app, int priority,
                               boolean active, TrunkDirection direction) {
        TrunkSpec spec = new TrunkSpec("name-" + id, "198.51.100.9", null, null, null, null, inboundIp, active,
                null, direction, priority, false, 3600, 0, app, null, null, null);
        return new Trunk(id, customer, spec, Instant.EPOCH, Instant.EPOCH);
    }

    private static Trunk trunk(String id, String customer, String inboundIp, String app) {
        return trunk(id, customer, inboundIp, app, 10, true, TrunkDirection.BOTH);
    }

    private static PhoneNumber did(String customer, String number, String app) {
        return new PhoneNumber("num_" + customer + number, customer, number, app, null, Instant.EPOCH, Instant.EPOCH);
    }

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    private InboundMatch.Routed routed(InboundMatch m) {
        return assertInstanceOf(InboundMatch.Routed.class, m, m.reason());
    }

    private static void refused(InboundMatch m, int status, String code) {
        InboundMatch.Refused r = assertInstanceOf(InboundMatch.Refused.class, m, m.reason());
        assertEquals(status, r.sipStatus(), r.reason());
        assertEquals(code, r.code());
    }

    @Test
    void aSourceInNoTrunkIsRefused() throws Exception {
        matcher.trunkChanged(null, trunk("t1", "cust_a", "203.0.113.0/24", "app_a"));
        refused(matcher.match(ip("192.0.2.1"), "+15551230002", null), 403, "unknown_source");
        refused(matcher.match(ip("2001:db8::1"), "+15551230002", null), 403, "unknown_source");
    }

    @Test
    void longestPrefixWinsWithinACustomerAndIpv6Works() throws Exception {
        matcher.trunkChanged(null, trunk("wide", "cust_a", "203.0.113.0/24", "app_wide"));
        matcher.trunkChanged(null, trunk("narrow", "cust_a", "203.0.113.7,2001:db8::/32", "app_narrow"));
        assertEquals("narrow", routed(matcher.match(ip("203.0.113.7"), "+15551230002", null)).trunk().id());
        assertEquals("wide", routed(matcher.match(ip("203.0.113.8"), "+15551230002", null)).trunk().id());
        InboundMatch.Routed v6 = routed(matcher.match(ip("2001:db8:1::5"), "+15551230002", null));
        assertEquals("narrow", v6.trunk().id());
        assertTrue(v6.reason().contains("/32"), v6.reason());
    }

    @Test
    void inactiveAndOutboundOnlyTrunksAndDeletedOnesNeverMatch() throws Exception {
        Trunk off = trunk("off", "cust_a", "203.0.113.0/24", "app", 10, false, TrunkDirection.BOTH);
        Trunk out = trunk("out", "cust_a", "203.0.113.0/24", "app", 10, true, TrunkDirection.OUTBOUND);
        Trunk gone = trunk("gone", "cust_a", "203.0.113.0/24", "app");
        matcher.trunkChanged(null, off);
        matcher.trunkChanged(null, out);
        matcher.trunkChanged(null, gone);
        assertEquals("gone", routed(matcher.match(ip("203.0.113.1"), "+15551230002", null)).trunk().id());
        matcher.trunkChanged(gone, null);
        refused(matcher.match(ip("203.0.113.1"), "+15551230002", null), 403, "unknown_source");
    }

    /** A trunk created {@code second} seconds after the epoch: its ranges are claimed then. */
    private static Trunk trunkAt(long second, String id, String customer, String inboundIp, String app) {
        Trunk t = trunk(id, customer, inboundIp, app);
        Instant at = Instant.ofEpochSecond(second);
        return new Trunk(t.id(), t.customerId(), t.spec(), at, at);
    }

    @Test
    void aSharedCarrierIsDecidedByTheNumberThenByTheFirstClaim() throws Exception {
        // Two customers bring the same carrier (same address); A first.
        matcher.trunkChanged(null, trunkAt(1, "ta", "cust_a", "203.0.113.7", "app_trunk_a"));
        matcher.trunkChanged(null, trunkAt(2, "tb", "cust_b", "203.0.113.7", "app_trunk_b"));
        matcher.numberChanged(null, did("cust_a", "+15551230002", "app_did_a"));
        matcher.numberChanged(null, did("cust_b", "+15551230003", null));

        InboundMatch.Routed a = routed(matcher.match(ip("203.0.113.7"), "+15551230002", null));
        assertEquals("ta", a.trunk().id());
        assertEquals("app_did_a", a.applicationId());
        InboundMatch.Routed b = routed(matcher.match(ip("203.0.113.7"), "+15551230003", null));
        assertEquals("tb", b.trunk().id());
        assertEquals("app_trunk_b", b.applicationId(), "a DID without application: the trunk's");
        // Nobody owns it: the customer whose trunk claimed the address first.
        assertEquals("ta", routed(matcher.match(ip("203.0.113.7"), "+15551230009", null)).trunk().id());
        assertTrue(matcher.inboundConflict("tb") && !matcher.inboundConflict("ta"));
        // A later, more specific range decides nothing between customers (no hijack of a shared carrier).
        matcher.trunkChanged(null, trunkAt(3, "tc", "cust_c", "203.0.113.7/32", "app_c"));
        assertEquals("ta", routed(matcher.match(ip("203.0.113.7"), "+15551230009", null)).trunk().id());
        assertTrue(matcher.inboundConflict("tc"));
        // Edits keep a range's claim: A's trunk re-listing its address with another one added.
        Trunk before = trunkAt(1, "ta", "cust_a", "203.0.113.7", "app_trunk_a");
        TrunkSpec wider = new TrunkSpec("name-ta", "198.51.100.9", null, null, null, null, "203.0.113.7,192.0.2.0/24",
                true, null, TrunkDirection.BOTH, 10, false, 3600, 0, "app_trunk_a", null, null, null);
        Instant later = Instant.ofEpochSecond(10);
        matcher.trunkChanged(before, new Trunk("ta", "cust_a", wider, before.createdAt(), later,
                before.inboundClaims().next(wider.inboundIp(), later)));
        assertEquals("ta", routed(matcher.match(ip("203.0.113.7"), "+15551230009", null)).trunk().id());
        // The earlier trunk going away hands the address to the next claim.
        matcher.trunkChanged(trunkAt(1, "ta", "cust_a", "203.0.113.7", "app_trunk_a"), null);
        assertEquals("tb", routed(matcher.match(ip("203.0.113.7"), "+15551230009", null)).trunk().id());
    }

    @Test
    void aVerifiedNumberWinsTheSharedCarrier() throws Exception {
        matcher.trunkChanged(null, trunkAt(1, "ta", "cust_a", "203.0.113.7", null));
        matcher.trunkChanged(null, trunkAt(2, "tb", "cust_b", "203.0.113.7", null));
        matcher.numberChanged(null, did("cust_a", "+15551230002", "app_a"));
        matcher.numberChanged(null, did("cust_b", "+15551230002", "app_b"));
        // Both own it, neither verified: the first claim.
        assertEquals("ta", routed(matcher.match(ip("203.0.113.7"), "+15551230002", null)).trunk().id());
        PhoneNumber b = did("cust_b", "+15551230002", "app_b");
        matcher.numberChanged(b, b.withVerified(true, Instant.EPOCH));
        assertEquals("tb", routed(matcher.match(ip("203.0.113.7"), "+15551230002", null)).trunk().id());
    }

    @Test
    void theContactTokenMatchesOnlyFromTheTrunksProxy() throws Exception {
        matcher.trunkChanged(null, trunk("ta", "cust_a", null, "app_a"));
        matcher.trunkChanged(null, trunk("tb", "cust_b", "198.51.100.9", "app_b"));
        // From the proxy, the token names the trunk; the dialled number is then the To user.
        InboundMatch.Routed r = routed(matcher.match(ip("198.51.100.9"), "gw+ta", "+15551230002"));
        assertEquals("ta", r.trunk().id());
        assertEquals("+15551230002", r.dialled());
        // From anywhere else the token means nothing.
        refused(matcher.match(ip("192.0.2.50"), "gw+ta", "+15551230002"), 403, "unknown_source");
        // A token naming an unknown trunk falls back to the address rule.
        assertEquals("tb", routed(matcher.match(ip("198.51.100.9"), "gw+trunk_nope", "+15551230002")).trunk().id());
    }

    @Test
    void numbersRouteToTheirApplicationElseTheTrunksElse404AndBadNumbersAre484() throws Exception {
        matcher.trunkChanged(null, trunk("t", "cust_a", "203.0.113.0/24", null));
        matcher.numberChanged(null, did("cust_a", "+15551230002", "app_did"));
        matcher.numberChanged(null, did("cust_b", "+15551230004", "app_foreign"));
        assertEquals("app_did", routed(matcher.match(ip("203.0.113.1"), "+15551230002", null)).applicationId());
        // %2B-less and with visual separators: normalised.
        assertEquals("app_did", routed(matcher.match(ip("203.0.113.1"), "+1-555-123-0002", null)).applicationId());
        refused(matcher.match(ip("203.0.113.1"), "+15551230003", null), 404, "no_route");
        // Another customer's DID is not ours.
        refused(matcher.match(ip("203.0.113.1"), "+15551230004", null), 404, "no_route");
        refused(matcher.match(ip("203.0.113.1"), "+1555123000200000000", null), 484, "invalid_destination");
        refused(matcher.match(ip("203.0.113.1"), "alice", null), 484, "invalid_destination");
        refused(matcher.match(ip("203.0.113.1"), null, null), 484, "invalid_destination");
        // The To user when the Request-URI has none.
        assertEquals("app_did", routed(matcher.match(ip("203.0.113.1"), null, "+15551230002")).applicationId());
        matcher.numberChanged(did("cust_a", "+15551230002", "app_did"), null);
        refused(matcher.match(ip("203.0.113.1"), "+15551230002", null), 404, "no_route");
    }
}
