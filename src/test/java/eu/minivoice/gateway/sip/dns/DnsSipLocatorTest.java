package eu.minivoice.gateway.sip.dns;

import eu.minivoice.gateway.domain.ProxyAddress;
import eu.minivoice.gateway.domain.SipTarget;
import eu.minivoice.gateway.domain.SipTransport;
import eu.minivoice.gateway.support.Dnsmasq;
import eu.minivoice.gateway.support.FreePorts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RFC 3263 §4 against a real DNS server on loopback (dnsmasq), every form of proxy the API takes. */
class DnsSipLocatorTest {
    private static final List<String> ZONE = List.of(
            // carrier.test: NAPTR → UDP (order 10) then TCP (20); TLS offered only by the secure one.
            "--naptr-record=carrier.test,10,50,s,SIP+D2U,,_sip._udp.carrier.test",
            "--naptr-record=carrier.test,20,50,s,SIP+D2T,,_sip._tcp.carrier.test",
            "--naptr-record=carrier.test,5,50,s,SIPS+D2T,,_sips._tcp.carrier.test",
            "--srv-host=_sip._udp.carrier.test,b.carrier.test,5071,20,10",
            "--srv-host=_sip._udp.carrier.test,a.carrier.test,5070,10,60",
            "--srv-host=_sip._tcp.carrier.test,a.carrier.test,5072,10,10",
            "--srv-host=_sips._tcp.carrier.test,a.carrier.test,5073,10,10",
            "--host-record=a.carrier.test,127.0.0.11,::1",
            "--host-record=b.carrier.test,127.0.0.12",
            // srvonly.test: no NAPTR, SRV over TCP only.
            "--srv-host=_sip._tcp.srvonly.test,a.carrier.test,5090,10,10",
            // plain.test: an A record and nothing else.
            "--host-record=plain.test,127.0.0.13");

    private static Dnsmasq dns;
    private static final ExecutorService executor = Executors.newSingleThreadExecutor();

    @BeforeAll
    static void startDns() throws Exception {
        dns = Dnsmasq.start(300, ZONE);
    }

    @AfterAll
    static void stopDns() throws Exception {
        dns.close();
        executor.shutdownNow();
    }

    private static DnsSipLocator locator(int port, Set<SipTransport> offered) {
        return locator(port, offered, false);
    }

    private static DnsSipLocator locator(int port, Set<SipTransport> offered, boolean ipv6) {
        return new DnsSipLocator(List.of(new InetSocketAddress("127.0.0.1", port)), Duration.ofMillis(500), offered,
                true, ipv6, executor, new Random(1));
    }

    private static List<String> locate(DnsSipLocator locator, String proxy) throws Exception {
        return locator.locate(ProxyAddress.parse(proxy)).get(10, TimeUnit.SECONDS).stream().map(SipTarget::toString).toList();
    }

    @Test
    void aBareNameFollowsNaptrThenSrvInPriorityOrderThenAddresses() throws Exception {
        DnsSipLocator locator = locator(dns.port, Set.of(SipTransport.UDP, SipTransport.TCP));
        // SIPS+D2T is skipped (TLS not offered); UDP's SRV by priority, then TCP's; IPv6 not sendable.
        assertEquals(List.of("127.0.0.11:5070;transport=udp", "127.0.0.12:5071;transport=udp",
                "127.0.0.11:5072;transport=tcp"), locate(locator, "carrier.test"));
        assertEquals(List.of("127.0.0.11:5073;transport=tls", "127.0.0.11:5070;transport=udp",
                        "127.0.0.12:5071;transport=udp", "127.0.0.11:5072;transport=tcp"),
                locate(locator(dns.port, Set.of(SipTransport.UDP, SipTransport.TCP, SipTransport.TLS)), "sip:carrier.test"));
    }

    @Test
    void withoutNaptrTheSrvOfEachOfferedTransportIsAsked() throws Exception {
        assertEquals(List.of("127.0.0.11:5090;transport=tcp"),
                locate(locator(dns.port, Set.of(SipTransport.UDP, SipTransport.TCP)), "srvonly.test"));
    }

    @Test
    void aGivenTransportAsksOnlyItsSrvAndAGivenPortOnlyTheAddresses() throws Exception {
        DnsSipLocator locator = locator(dns.port, Set.of(SipTransport.UDP, SipTransport.TCP, SipTransport.TLS));
        assertEquals(List.of("127.0.0.11:5072;transport=tcp"), locate(locator, "carrier.test;transport=tcp"));
        assertEquals(List.of("127.0.0.11:5073;transport=tls"), locate(locator, "sips:carrier.test"));
        int before = count(dns.log(), "query[SRV] _sip._udp.a.carrier.test");
        assertEquals(List.of("127.0.0.11:5099;transport=udp"), locate(locator, "a.carrier.test:5099"));
        assertEquals(before, count(dns.log(), "query[SRV] _sip._udp.a.carrier.test"), "an explicit port asks no SRV");
        assertFalse(dns.log().contains("query[NAPTR] a.carrier.test"), "nor NAPTR");
    }

    @Test
    void aNameWithOnlyAnAddressRecordIsUdpOnTheDefaultPort() throws Exception {
        assertEquals(List.of("127.0.0.13:5060;transport=udp"),
                locate(locator(dns.port, Set.of(SipTransport.UDP, SipTransport.TCP)), "plain.test"));
        assertEquals(List.of("127.0.0.13:5060;transport=tcp"),
                locate(locator(dns.port, Set.of(SipTransport.UDP, SipTransport.TCP)), "plain.test;transport=tcp"));
        assertEquals(List.of("203.0.113.5:5080;transport=tcp"),
                locate(locator(dns.port, Set.of(SipTransport.UDP)), "203.0.113.5:5080;transport=tcp"), "a literal asks nobody");
    }

    @Test
    void ipv6AddressesAreUsedOnlyWhenTheGatewayCanSendToThem() throws Exception {
        assertEquals(List.of("127.0.0.11:5099;transport=udp", "[0:0:0:0:0:0:0:1]:5099;transport=udp"),
                locate(locator(dns.port, Set.of(SipTransport.UDP), true), "a.carrier.test:5099"));
        // A server refusing one record type does not hide what the other found (b has no AAAA).
        assertEquals(List.of("127.0.0.12:5099;transport=udp"),
                locate(locator(dns.port, Set.of(SipTransport.UDP), true), "b.carrier.test:5099"));
    }

    @Test
    void aZoneWithHundredsOfServersCostsAtMostSixteenLookups() throws Exception {
        List<String> crowded = new java.util.ArrayList<>();
        for (int i = 0; i < 200; i++) {
            crowded.add("--srv-host=_sip._udp.crowded.test,h" + i + ".crowded.test," + (7000 + i) + ",10,10");
            crowded.add("--host-record=h" + i + ".crowded.test,127.0.1." + (i % 250 + 1));
        }
        try (Dnsmasq zone = Dnsmasq.start(300, crowded)) {
            List<String> found = locate(locator(zone.port, Set.of(SipTransport.UDP)), "crowded.test;transport=udp");
            assertEquals(DnsSipLocator.MAX_TARGETS, found.size());
            assertTrue(count(zone.log(), "query[A] h") <= DnsSipLocator.MAX_TARGETS, "lookups for the servers kept only");
        }
    }

    @Test
    void aRefusedQueryIsTheReasonWhenNothingIsFound() {
        // dnsmasq answers only .test (no upstream): anything else is REFUSED.
        ExecutionException refused = assertThrows(ExecutionException.class,
                () -> locate(locator(dns.port, Set.of(SipTransport.UDP)), "carrier.example:5060"));
        assertTrue(refused.getCause().getMessage().contains("REFUSED"), refused.getMessage());
    }

    @Test
    void anUnknownNameOrADeadServerFailsWithAReason() throws Exception {
        ExecutionException unknown = assertThrows(ExecutionException.class,
                () -> locate(locator(dns.port, Set.of(SipTransport.UDP)), "nothing.test"));
        assertInstanceOf(UnknownHostException.class, unknown.getCause());
        assertTrue(unknown.getCause().getMessage().contains("no SIP server found for nothing.test"), unknown.getMessage());

        long start = System.nanoTime();
        ExecutionException dead = assertThrows(ExecutionException.class,
                () -> locate(locator(FreePorts.next(), Set.of(SipTransport.UDP)), "carrier.test"));
        assertInstanceOf(UnknownHostException.class, dead.getCause());
        assertTrue(DnsFailure.reason(dead.getCause()).startsWith("cannot resolve proxy: DNS "), dead.getMessage());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(8), "bounded by the query timeout");
    }

    @Test
    void answersAreCachedForTheirTtlAndAChangedZoneIsSeenAfterIt() throws Exception {
        try (Dnsmasq zone = Dnsmasq.start(3, List.of("--srv-host=_sip._udp.moving.test,one.moving.test,5070,10,10",
                "--host-record=one.moving.test,127.0.0.21", "--host-record=two.moving.test,127.0.0.22"))) {
            DnsSipLocator locator = locator(zone.port, Set.of(SipTransport.UDP));
            assertEquals(List.of("127.0.0.21:5070;transport=udp"), locate(locator, "moving.test;transport=udp"));
            long changed = System.nanoTime();
            zone.restart(List.of("--srv-host=_sip._udp.moving.test,two.moving.test,5070,10,10",
                    "--host-record=one.moving.test,127.0.0.21", "--host-record=two.moving.test,127.0.0.22"));
            // Within the TTL the cached answer stands (and the server is not asked again)...
            assertEquals(List.of("127.0.0.21:5070;transport=udp"), locate(locator, "moving.test;transport=udp"));
            assertFalse(zone.log().substring(zone.log().lastIndexOf("started")).contains("query[SRV]"), zone.log());
            assertTrue(System.nanoTime() - changed < TimeUnit.SECONDS.toNanos(3), "the restart took the whole TTL");
            // ...after it, the new zone.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            List<String> now = locate(locator, "moving.test;transport=udp");
            while (!now.equals(List.of("127.0.0.22:5070;transport=udp")) && System.nanoTime() < deadline) {
                Thread.sleep(200);
                now = locate(locator, "moving.test;transport=udp");
            }
            assertEquals(List.of("127.0.0.22:5070;transport=udp"), now);
            assertTrue(System.nanoTime() - changed > TimeUnit.SECONDS.toNanos(1), "the new answer came before the TTL ran out");
        }
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}
