package eu.minivoice.gateway.domain;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Which addresses a customer-supplied target (a webhook URL, a trunk proxy, a forward or redirect
 * target, an inbound range) may name. Loopback, private (RFC 1918), CGNAT, link-local (the cloud
 * metadata address 169.254.169.254 among them), unique-local, multicast, reserved and unspecified
 * addresses are refused: otherwise a tenant could make the gateway call into the operator's own
 * network. The operator lists exceptions (the platform's network, loopback in tests) in
 * {@code security.allowed_private_cidrs}. Pure: resolution is the caller's job.
 */
public final class AddressPolicy {
    private record Block(IpRange range, String what) {
    }

    private static final List<Block> BLOCKED = List.of(
            block("0.0.0.0/8", "an unspecified (\"this network\") address"),
            block("10.0.0.0/8", "a private (RFC 1918) address"),
            block("100.64.0.0/10", "a carrier-grade NAT (RFC 6598) address"),
            block("127.0.0.0/8", "a loopback address"),
            block("169.254.0.0/16", "a link-local address (cloud metadata lives there)"),
            block("172.16.0.0/12", "a private (RFC 1918) address"),
            block("192.0.0.0/24", "an IETF protocol assignment address"),
            block("192.168.0.0/16", "a private (RFC 1918) address"),
            block("198.18.0.0/15", "a benchmarking network address"),
            block("224.0.0.0/4", "a multicast address"),
            block("240.0.0.0/4", "a reserved (or broadcast) address"),
            block("::/128", "the unspecified address"),
            block("::1/128", "a loopback address"),
            block("fc00::/7", "a unique-local (private) address"),
            block("fe80::/10", "a link-local address"),
            block("fec0::/10", "a site-local (private) address"),
            block("ff00::/8", "a multicast address"));

    /** Appended to every refusal the API shows: the setting that would allow it. */
    public static final String HINT = ": not allowed unless inside security.allowed_private_cidrs";

    private final List<IpRange> allowed;

    public AddressPolicy(List<IpRange> allowed) {
        this.allowed = List.copyOf(allowed);
    }

    /** From {@code security.allowed_private_cidrs} (validated at start-up). */
    public static AddressPolicy allowing(List<String> cidrs) {
        return new AddressPolicy(cidrs.stream().map(IpRange::parse).toList());
    }

    private static Block block(String cidr, String what) {
        return new Block(IpRange.parse(cidr), what);
    }

    /** Why {@code address} may not be a target, or null when it may. */
    public String refusal(InetAddress address) {
        InetAddress a = embeddedIpv4(address);
        for (IpRange ok : allowed) {
            if (ok.contains(a) || ok.contains(address)) {
                return null;
            }
        }
        for (Block b : BLOCKED) {
            if (b.range().contains(a)) {
                return address.getHostAddress() + " is " + b.what();
            }
        }
        return null;
    }

    /** The first refusal among numeric addresses (as resolved), or null when every one may be used. */
    public String refusalOfAny(java.util.Collection<String> numericAddresses) {
        for (String a : numericAddresses) {
            InetAddress address = IpRange.literalAddress(a);
            String why = address == null ? a + " is not an address" : refusal(address);
            if (why != null) {
                return why;
            }
        }
        return null;
    }

    /** Why a host may not be a target when it is an address literal; null for an allowed literal or a name. */
    public String literalRefusal(String host) {
        InetAddress address = IpRange.literalAddress(host);
        return address == null ? null : refusal(address);
    }

    /** Why {@code range} may not be claimed: it reaches into a refused block (unless an allowed range holds it). */
    public String refusal(IpRange range) {
        for (IpRange ok : allowed) {
            if (ok.overlaps(range) && ok.prefixLength() <= range.prefixLength()) {
                return null;
            }
        }
        for (Block b : BLOCKED) {
            if (b.range().overlaps(range)) {
                return range + " overlaps " + b.range() + " (" + b.what() + " range)";
            }
        }
        return null;
    }

    /**
     * The IPv4 address inside an IPv4-mapped (::ffff:0:0/96), NAT64 (64:ff9b::/96) or 6to4
     * (2002::/16) IPv6 address, so that ::ffff:127.0.0.1 is judged as 127.0.0.1.
     */
    static InetAddress embeddedIpv4(InetAddress address) {
        if (address instanceof Inet4Address) {
            return address;
        }
        byte[] b = address.getAddress();
        try {
            boolean mapped = b[10] == (byte) 0xff && b[11] == (byte) 0xff && allZero(b, 0, 10);
            boolean nat64 = b[0] == 0 && b[1] == 0x64 && b[2] == (byte) 0xff && b[3] == (byte) 0x9b && allZero(b, 4, 12);
            if (mapped || nat64) {
                return InetAddress.getByAddress(new byte[]{b[12], b[13], b[14], b[15]});
            }
            if (b[0] == 0x20 && b[1] == 0x02) {
                return InetAddress.getByAddress(new byte[]{b[2], b[3], b[4], b[5]});
            }
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // four bytes are always an address
        }
        return address;
    }

    private static boolean allZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
