package eu.minivoice.gateway.domain;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

class AddressPolicyTest {
    private final AddressPolicy strict = AddressPolicy.allowing(List.of());
    private final AddressPolicy platformNet = AddressPolicy.allowing(List.of("10.20.0.0/16", "::1/128"));

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s); // literals only: no DNS
    }

    @Test
    void specialAddressesAreRefused() throws Exception {
        for (String a : List.of("127.0.0.1", "127.9.9.9", "0.0.0.0", "10.1.2.3", "172.16.0.1", "172.31.255.255",
                "192.168.1.1", "100.64.0.1", "100.127.255.254", "169.254.169.254", "224.0.0.1", "239.255.255.250",
                "255.255.255.255", "240.0.0.1", "192.0.0.8", "198.18.0.1", "::", "::1", "fd12:3456::1", "fc00::1",
                "fe80::1", "fec0::1", "ff02::1", "::ffff:127.0.0.1", "64:ff9b::a00:1", "2002:a00:1::1")) {
            assertNotNull(strict.refusal(ip(a)), a);
        }
    }

    @Test
    void publicAddressesPass() throws Exception {
        for (String a : List.of("8.8.8.8", "203.0.113.7", "198.51.100.1", "172.32.0.1", "100.128.0.1", "192.169.0.1",
                "2001:db8::1", "2a00:1450::1", "64:ff9b::808:808")) {
            assertNull(strict.refusal(ip(a)), a);
        }
    }

    @Test
    void theOperatorsExceptionsPassAndNothingElse() throws Exception {
        assertNull(platformNet.refusal(ip("10.20.3.4")));
        assertNull(platformNet.refusal(ip("::1")));
        assertNotNull(platformNet.refusal(ip("10.21.0.1")));
        assertNotNull(platformNet.refusal(ip("127.0.0.1")));
    }

    @Test
    void rangesAreRefusedWhenTheyReachIntoABlock() {
        assertNotNull(strict.refusal(IpRange.parse("10.0.0.0/16")));
        assertNotNull(strict.refusal(IpRange.parse("172.0.0.0/10")), "contains 172.16/12");
        assertNotNull(strict.refusal(IpRange.parse("fd00::/48")));
        assertNull(strict.refusal(IpRange.parse("203.0.113.0/24")));
        assertNull(platformNet.refusal(IpRange.parse("10.20.5.0/24")));
        assertNotNull(platformNet.refusal(IpRange.parse("10.0.0.0/8")), "wider than the exception");
    }
}
