package eu.minivoice.gateway.domain;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ProxyAddressTest {
    @Test
    void acceptsEveryDocumentedForm() {
        assertEquals(new ProxyAddress("sip.example.net", 0, SipTransport.UDP, false, false), ProxyAddress.parse("sip.example.net"));
        assertEquals(new ProxyAddress("sip.example.net", 5080, SipTransport.UDP, false, false),
                ProxyAddress.parse("sip.example.net:5080"));
        assertEquals(new ProxyAddress("sip.example.net", 0, SipTransport.TCP, false, true),
                ProxyAddress.parse("sip.example.net;transport=tcp"));
        assertEquals(new ProxyAddress("sip.example.net", 5061, SipTransport.TLS, false, true),
                ProxyAddress.parse("sip.example.net:5061;transport=TLS"));
        assertEquals(new ProxyAddress("203.0.113.5", 5060, SipTransport.UDP, false, false),
                ProxyAddress.parse("sip:203.0.113.5:5060"));
        assertEquals(new ProxyAddress("sip.example.net", 0, SipTransport.TLS, true, false), ProxyAddress.parse("sips:sip.example.net"));
        assertEquals(new ProxyAddress("[2001:db8::1]", 5062, SipTransport.TCP, false, true),
                ProxyAddress.parse("sip:[2001:db8::1]:5062;transport=tcp"));
    }

    @Test
    void onlyANameWithoutPortOrTransportLetsDnsChooseTheTransport() {
        assertTrue(ProxyAddress.parse("sip.example.net").transportFromDns());
        assertFalse(ProxyAddress.parse("sip:sip.example.net").literal());
        assertFalse(ProxyAddress.parse("sip.example.net:5060").transportFromDns());
        assertFalse(ProxyAddress.parse("sip.example.net;transport=udp").transportFromDns());
        assertFalse(ProxyAddress.parse("sips:sip.example.net").transportFromDns());
        assertFalse(ProxyAddress.parse("203.0.113.5").transportFromDns());
        assertTrue(ProxyAddress.parse("[2001:db8::1]").literal());
    }

    @Test
    void effectivePortFollowsTheTransportWhenNoneIsGiven() {
        assertEquals(5060, ProxyAddress.parse("a.example").effectivePort());
        assertEquals(5061, ProxyAddress.parse("sips:a.example").effectivePort());
        assertEquals(7000, ProxyAddress.parse("a.example:7000").effectivePort());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "sip:user@host.example", "host.example:0", "host.example:65536",
            "host.example;transport=sctp", "sips:host.example;transport=udp", "host..example", "-host.example",
            "host example", "http://host.example", "host.example;lr", "[2001:db8::1", "999.1.1.1",
            "host.example:5060:5060", "sip:", "host.example/path"})
    void refusesEverythingElse(String text) {
        assertThrows(IllegalArgumentException.class, () -> ProxyAddress.parse(text));
    }
}
