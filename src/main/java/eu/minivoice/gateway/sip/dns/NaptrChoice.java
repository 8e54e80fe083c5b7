package eu.minivoice.gateway.sip.dns;

import eu.minivoice.gateway.domain.SipTransport;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * RFC 3263 §4.1: which NAPTR records of a proxy's domain to follow — SIP services over a transport
 * this gateway offers, with the "s" flag (the replacement is an SRV name), by order then preference.
 */
final class NaptrChoice {
    record Naptr(int order, int preference, String flags, String service, String replacement) {
    }

    /** Follow the SRV records at {@code srvName} and use {@code transport} with their targets. */
    record Choice(SipTransport transport, String srvName) {
    }

    private NaptrChoice() {
    }

    static List<Choice> choose(List<Naptr> records, Set<SipTransport> offered) {
        List<Naptr> sorted = new ArrayList<>(records);
        sorted.sort(Comparator.comparingInt(Naptr::order).thenComparingInt(Naptr::preference));
        List<Choice> out = new ArrayList<>();
        for (Naptr n : sorted) {
            SipTransport t = transportOf(n.service());
            if (t != null && offered.contains(t) && n.flags().equalsIgnoreCase("s")
                    && !n.replacement().isEmpty() && !n.replacement().equals(".")) {
                out.add(new Choice(t, n.replacement()));
            }
        }
        return out;
    }

    /** RFC 3263 §4.1 service field → transport; other services (SIP+D2S, E2U…) are not ours. */
    static SipTransport transportOf(String service) {
        return switch (service.toUpperCase(Locale.ROOT)) {
            case "SIP+D2U" -> SipTransport.UDP;
            case "SIP+D2T" -> SipTransport.TCP;
            case "SIPS+D2T" -> SipTransport.TLS;
            default -> null;
        };
    }

    /** RFC 3263 §4.1, no NAPTR: the SRV name a transport is looked up under. */
    static String srvName(SipTransport transport, String domain) {
        return switch (transport) {
            case UDP -> "_sip._udp." + domain;
            case TCP -> "_sip._tcp." + domain;
            case TLS -> "_sips._tcp." + domain;
        };
    }
}
