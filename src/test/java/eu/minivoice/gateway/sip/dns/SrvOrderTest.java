package eu.minivoice.gateway.sip.dns;

import eu.minivoice.gateway.domain.SipTransport;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SrvOrderTest {
    private static SrvOrder.Srv srv(int priority, int weight, String target) {
        return new SrvOrder.Srv(priority, weight, 5060, target);
    }

    @Test
    void lowerPriorityAlwaysComesFirst() {
        List<SrvOrder.Srv> records = List.of(srv(20, 100, "c"), srv(10, 1, "a"), srv(30, 0, "d"), srv(10, 1, "b"));
        for (int seed = 0; seed < 50; seed++) {
            List<SrvOrder.Srv> out = SrvOrder.order(records, new Random(seed));
            assertEquals(4, out.size());
            assertEquals(10, out.get(0).priority());
            assertEquals(10, out.get(1).priority());
            assertEquals("c", out.get(2).target());
            assertEquals("d", out.get(3).target());
        }
    }

    @Test
    void withinAPriorityTheFirstIsChosenInProportionToWeight() {
        List<SrvOrder.Srv> records = List.of(srv(10, 90, "heavy"), srv(10, 10, "light"), srv(10, 0, "spare"));
        Random random = new Random(42);
        int heavy = 0;
        int spare = 0;
        for (int i = 0; i < 10_000; i++) {
            String first = SrvOrder.order(records, random).get(0).target();
            heavy += first.equals("heavy") ? 1 : 0;
            spare += first.equals("spare") ? 1 : 0;
        }
        assertTrue(heavy > 8_700 && heavy < 9_200, "heavy first " + heavy + " of 10000 (weight 90 of 100)");
        assertTrue(spare < 200, "weight 0 is first only when the draw is 0 (1 in 101): " + spare);
    }

    @Test
    void naptrRecordsAreFollowedInOrderForOfferedSipTransportsOnly() {
        List<NaptrChoice.Naptr> records = List.of(
                new NaptrChoice.Naptr(20, 10, "s", "SIP+D2T", "_sip._tcp.x.test."),
                new NaptrChoice.Naptr(10, 20, "S", "SIP+D2U", "_sip._udp.x.test."),
                new NaptrChoice.Naptr(10, 10, "s", "SIPS+D2T", "_sips._tcp.x.test."),
                new NaptrChoice.Naptr(5, 10, "u", "E2U+sip", "!^.*$!sip:x@y!"),
                new NaptrChoice.Naptr(5, 10, "s", "SIP+D2S", "_sip._sctp.x.test."));
        assertEquals(List.of(new NaptrChoice.Choice(SipTransport.UDP, "_sip._udp.x.test."),
                        new NaptrChoice.Choice(SipTransport.TCP, "_sip._tcp.x.test.")),
                NaptrChoice.choose(records, Set.of(SipTransport.UDP, SipTransport.TCP)));
        assertEquals(SipTransport.TLS, NaptrChoice.choose(records, Set.of(SipTransport.TLS)).get(0).transport());
        assertNull(NaptrChoice.transportOf("SIP+D2S"));
    }
}
