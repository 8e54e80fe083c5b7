package eu.minivoice.gateway.domain;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IpRangeTest {
    @Test
    void parsesAddressesAndRangesIntoCanonicalText() {
        assertEquals("203.0.113.7", IpRange.parse("203.0.113.7").toString());
        assertEquals("203.0.113.7", IpRange.parse(" 203.0.113.7/32 ").toString());
        assertEquals("198.51.100.0/24", IpRange.parse("198.51.100.0/24").toString());
        assertEquals("2001:db8::/32", IpRange.parse("2001:DB8::/32").toString());
        assertEquals("::1", IpRange.parse("[::1]").toString());
        assertEquals("0.0.0.0/0", IpRange.parse("0.0.0.0/0").toString());
        assertEquals(24, IpRange.parse("198.51.100.0/24").prefixLength());
    }

    @Test
    void containsOnlyAddressesOfTheSameFamilyInsideTheRange() throws Exception {
        IpRange r = IpRange.parse("198.51.100.0/24");
        assertTrue(r.contains(InetAddress.getByName("198.51.100.255")));
        assertFalse(r.contains(InetAddress.getByName("198.51.101.0")));
        assertFalse(r.contains(InetAddress.getByName("::1")));
        IpRange v6 = IpRange.parse("2001:db8:1::/48");
        assertTrue(v6.contains(InetAddress.getByName("2001:db8:1:ffff::5")));
        assertFalse(v6.contains(InetAddress.getByName("2001:db8:2::5")));
        assertTrue(IpRange.parse("10.1.2.3").contains(InetAddress.getByName("10.1.2.3")));
    }

    @Test
    void refusesHostBitsWithAHint() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IpRange.parse("10.0.0.1/24"));
        assertTrue(e.getMessage().contains("10.0.0.0/24"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10.0.0.256", "10.0.0", "10.0.0.0/33", "::/129", "10.0.0.0/-1", "10.0.0.0/x",
            "carrier.example.com", "localhost", "1.2.3.4.5", "::g", "10.0.0.0/24/8"})
    void refusesWhatIsNotANumericAddressOrRange(String text) {
        assertThrows(IllegalArgumentException.class, () -> IpRange.parse(text));
    }

    @Test
    void parsesListsDroppingDuplicatesAndRefusingEmptyEntries() {
        assertEquals(2, IpRange.parseList("10.0.0.1, 10.0.0.1/32, 10.0.1.0/24").size());
        assertThrows(IllegalArgumentException.class, () -> IpRange.parseList("10.0.0.1,,10.0.0.2"));
        assertThrows(IllegalArgumentException.class, () -> IpRange.parseList("10.0.0.1,"));
    }

    /** The hand-read IPv4 form agrees with the JDK's parser on addresses and refuses what is not one. */
    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "127.0.0.1", "203.0.113.7", "255.255.255.255", "10.1.22.199", "[192.0.2.1]"})
    void readsDottedQuadsAsTheJdkDoes(String text) throws Exception {
        String bare = text.replace("[", "").replace("]", "");
        assertEquals(InetAddress.getByName(bare), IpRange.literalAddress(text));
        assertEquals(InetAddress.getByName(bare), InetAddress.getByAddress(IpRange.parseLiteral(text)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"256.0.0.1", "1.2.3", "1.2.3.4.5", "1..2.3", ".1.2.3", "1.2.3.", "1.2.3.4a", "1234.1.1.1",
            "1.2.3.-4", "+1.2.3.4", "carrier.example", "1.2.3.4 ", "١.٢.٣.٤", "01.2.3.4"})
    void anythingElseIsNoDottedQuad(String text) {
        assertEquals(null, IpRange.dottedQuad(text));
    }

    @org.junit.jupiter.api.Test
    void namesAndBadOctetsAreNoLiteralAddress() throws Exception {
        assertEquals(null, IpRange.literalAddress("carrier.example"));
        assertEquals(null, IpRange.literalAddress("256.1.1.1"));
        assertEquals(InetAddress.getByName("2001:db8::1"), IpRange.literalAddress("[2001:db8::1]"));
        assertThrows(IllegalArgumentException.class, () -> IpRange.parseLiteral("1.2.3.256"));
    }
}
