package eu.minivoice.gateway.domain;

import java.net.InetAddress;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * When each of a trunk's {@code inbound_ip} ranges was first claimed. On a carrier address shared
 * by trunks of several customers, the earliest claim decides (docs/inbound.md): so a range keeps
 * its claim time across edits of the trunk, and only a range it did not list before gets "now".
 */
public record InboundClaims(Map<IpRange, Instant> claims) {
    public static final InboundClaims NONE = new InboundClaims(Map.of());

    public InboundClaims {
        claims = Map.copyOf(claims);
    }

    /** Every range of {@code inboundIp} claimed at {@code at}. */
    public static InboundClaims initial(String inboundIp, Instant at) {
        return NONE.next(inboundIp, at);
    }

    /** The claims after {@code inboundIp} becomes the trunk's list: kept ranges keep their time. */
    public InboundClaims next(String inboundIp, Instant now) {
        if (inboundIp == null) {
            return NONE;
        }
        Map<IpRange, Instant> out = new LinkedHashMap<>();
        for (IpRange r : IpRange.parseList(inboundIp)) {
            out.put(r, claims.getOrDefault(r, now));
        }
        return new InboundClaims(out);
    }

    /** The earliest claim among the ranges containing {@code source}; null when none contains it. */
    public Instant claimOf(InetAddress source) {
        Instant best = null;
        for (Map.Entry<IpRange, Instant> e : claims.entrySet()) {
            if (e.getKey().contains(source) && (best == null || e.getValue().isBefore(best))) {
                best = e.getValue();
            }
        }
        return best;
    }

    public Instant claimOf(IpRange range) {
        return claims.get(range);
    }

    /** Stored form: {@code range=epochMillis} joined by commas. */
    public String format() {
        StringBuilder b = new StringBuilder();
        claims.forEach((r, t) -> b.append(b.length() == 0 ? "" : ",").append(r).append('=').append(t.toEpochMilli()));
        return b.toString();
    }

    /** The stored form back; {@code fallback} (the trunk's creation) for ranges it does not name. */
    public static InboundClaims parse(String stored, String inboundIp, Instant fallback) {
        Map<IpRange, Instant> known = new LinkedHashMap<>();
        if (stored != null && !stored.isBlank()) {
            for (String item : stored.split(",")) {
                int eq = item.lastIndexOf('=');
                if (eq > 0) {
                    known.put(IpRange.parse(item.substring(0, eq)), Instant.ofEpochMilli(Long.parseLong(item.substring(eq + 1))));
                }
            }
        }
        return new InboundClaims(known).next(inboundIp, fallback);
    }
}
