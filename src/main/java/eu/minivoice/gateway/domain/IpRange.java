package eu.minivoice.gateway.domain;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An IPv4 or IPv6 address range in CIDR form; a single address is a /32 or /128.
 *
 * <p>Parsing accepts only numeric literals: a host name here would make trust and inbound
 * matching depend on DNS at an unknown moment, which no carrier gateway operator wants.
 */
public final class IpRange {
    private final byte[] network;
    private final int prefix;

    private IpRange(byte[] network, int prefix) {
        this.network = network;
        this.prefix = prefix;
    }

    /** Parses "203.0.113.7", "203.0.113.0/24", "2001:db8::/32" or "[2001:db8::1]". */
    public static IpRange parse(String text) {
        String s = text.trim();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty address");
        }
        int slash = s.indexOf('/');
        String addressPart = slash < 0 ? s : s.substring(0, slash);
        byte[] address = parseLiteral(addressPart);
        int max = address.length * 8;
        int prefix = max;
        if (slash >= 0) {
            String p = s.substring(slash + 1);
            if (!p.matches("\\d{1,3}")) {
                throw new IllegalArgumentException("'" + s + "' has an invalid prefix length");
            }
            prefix = Integer.parseInt(p);
            if (prefix > max) {
                throw new IllegalArgumentException("'" + s + "' has a prefix longer than " + max);
            }
        }
        byte[] network = mask(address, prefix);
        if (!Arrays.equals(network, address)) {
            throw new IllegalArgumentException("'" + s + "' has host bits set; did you mean '"
                    + format(network, prefix) + "'?");
        }
        return new IpRange(network, prefix);
    }

    /** Parses a comma-separated list; duplicates are kept out. */
    public static List<IpRange> parseList(String text) {
        List<IpRange> out = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            if (part.isBlank()) {
                throw new IllegalArgumentException("empty entry in address list");
            }
            IpRange r = parse(part);
            if (!out.contains(r)) {
                out.add(r);
            }
        }
        return List.copyOf(out);
    }

    // Compiled once: literals are judged on the call path (every INVITE's proxy and addresses).
    private static final java.util.regex.Pattern V4 = java.util.regex.Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final java.util.regex.Pattern V6 = java.util.regex.Pattern.compile("[0-9A-Fa-f:.]+");
    private static final java.util.regex.Pattern DOT = java.util.regex.Pattern.compile("\\.");

    /** Parses a numeric IPv4/IPv6 literal without ever touching DNS. */
    public static byte[] parseLiteral(String text) {
        String s = text.trim();
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        byte[] quad = dottedQuad(s);
        if (quad != null) {
            return quad;
        }
        boolean v4 = V4.matcher(s).matches();
        boolean v6 = s.contains(":") && V6.matcher(s).matches();
        if (v4) {
            for (String octet : DOT.split(s)) {
                if (Integer.parseInt(octet) > 255) {
                    throw new IllegalArgumentException("'" + text + "' is not an IP address");
                }
            }
        }
        if (!v4 && !v6) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address or CIDR range");
        }
        try {
            // Only literals reach here, so getByName does no lookup.
            return InetAddress.getByName(s).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address");
        }
    }

    /**
     * The address a host names when it is an IPv4 or (bracketed or bare) IPv6 literal; null for a
     * host name. Never a DNS lookup.
     */
    public static InetAddress literalAddress(String host) {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        String t = bare.trim();
        byte[] quad = dottedQuad(t);
        if (quad != null) {
            try {
                return InetAddress.getByAddress(quad);
            } catch (UnknownHostException impossible) { // four bytes are always an address
                return null;
            }
        }
        if (!V4.matcher(t).matches() && !(t.contains(":") && V6.matcher(t).matches())) {
            return null; // a host name: no exception to make and throw away
        }
        try {
            return InetAddress.getByAddress(parseLiteral(bare));
        } catch (IllegalArgumentException | UnknownHostException e) {
            return null;
        }
    }

    /**
     * Four decimal octets of at most three digits and 255 without leading zeros; null for anything
     * else (a host name, IPv6, a bad or zero-padded octet: those take the full parser below). Read by hand because the
     * relay asks for every call's proxy and target: the regular expressions, split and
     * InetAddress parsing it replaces showed in the relay's profile.
     */
    public static byte[] dottedQuad(String s) {
        int n = s.length();
        if (n < 7 || n > 15) {
            return null;
        }
        byte[] out = new byte[4];
        int part = 0;
        int value = 0;
        int digits = 0;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                if (digits == 1 && value == 0) {
                    return null; // a leading zero: left to the full parser, whose reading it keeps
                }
                value = value * 10 + (c - '0');
                if (++digits > 3 || value > 255) {
                    return null;
                }
            } else if (c == '.' && digits > 0 && part < 3) {
                out[part++] = (byte) value;
                value = 0;
                digits = 0;
            } else {
                return null;
            }
        }
        if (part != 3 || digits == 0) {
            return null;
        }
        out[3] = (byte) value;
        return out;
    }

    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        return a.length == network.length && Arrays.equals(mask(a, prefix), network);
    }

    /** True when the two ranges share at least one address. */
    public boolean overlaps(IpRange other) {
        int p = Math.min(prefix, other.prefix);
        return other.network.length == network.length && Arrays.equals(mask(network, p), mask(other.network, p));
    }

    /** The network address (host bits zero); a copy. */
    public byte[] network() {
        return network.clone();
    }

    public int prefixLength() {
        return prefix;
    }

    public boolean isIpv6() {
        return network.length == 16;
    }

    /** The address with all bits after {@code prefix} cleared (a new array). */
    public static byte[] mask(byte[] address, int prefix) {
        byte[] out = address.clone();
        for (int i = 0; i < out.length; i++) {
            int bits = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] = (byte) (out[i] & (0xFF << (8 - bits)));
        }
        return out;
    }

    private static String format(byte[] network, int prefix) {
        try {
            String host = InetAddress.getByAddress(network).getHostAddress();
            if (network.length == 16) {
                host = compressIpv6(host);
            }
            return prefix == network.length * 8 ? host : host + "/" + prefix;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // impossible: the array has a valid length
        }
    }

    /** Java prints 2001:db8:0:0:0:0:0:0; operators expect the RFC 5952 form 2001:db8::. */
    private static String compressIpv6(String full) {
        String[] groups = full.split(":");
        int bestStart = -1, bestLen = 0;
        for (int i = 0; i < groups.length; ) {
            if (groups[i].equals("0")) {
                int j = i;
                while (j < groups.length && groups[j].equals("0")) {
                    j++;
                }
                if (j - i > bestLen && j - i > 1) {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        if (bestStart < 0) {
            return full;
        }
        String head = String.join(":", Arrays.copyOfRange(groups, 0, bestStart));
        String tail = String.join(":", Arrays.copyOfRange(groups, bestStart + bestLen, groups.length));
        return head + "::" + tail;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpRange r && r.prefix == prefix && Arrays.equals(r.network, network);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(network) + prefix;
    }

    /** Canonical text: the network address, and "/prefix" unless it is a single address. */
    @Override
    public String toString() {
        return format(network, prefix);
    }
}
