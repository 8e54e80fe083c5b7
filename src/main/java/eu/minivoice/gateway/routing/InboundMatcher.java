package eu.minivoice.gateway.routing;

import eu.minivoice.gateway.domain.E164;
import eu.minivoice.gateway.domain.ErrorCode;
import eu.minivoice.gateway.domain.InboundConflicts;
import eu.minivoice.gateway.domain.IpRange;
import eu.minivoice.gateway.domain.PhoneNumber;
import eu.minivoice.gateway.domain.Trunk;
import eu.minivoice.gateway.domain.TrunkDirection;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Which trunk a carrier INVITE belongs to, and where it goes (docs/product.md §5), from memory only: the
 * trunks and numbers are indexed here and kept current by the API's change notifications, so a
 * SIP thread never reads the database for it.
 *
 * <p>Rules, in order (docs/inbound.md):
 * <ol>
 *   <li>Candidates: active inbound-capable trunks whose {@code inbound_ip} contains the source, plus
 *       the trunk named by a {@code gw+<trunk id>} contact token in the Request-URI when the source
 *       is one of that trunk's proxy addresses.</li>
 *   <li>Carriers are shared between customers. When the candidates belong to several customers:
 *       the customer holding the dialled DID verified (by the operator); else those owning the
 *       DID; then the contact token; then the customer whose trunk claimed the source first
 *       ({@link eu.minivoice.gateway.domain.InboundClaims}) — so a later tenant's overlapping
 *       range never changes where an earlier tenant's calls go. The prefix length never decides
 *       between customers: a tenant listing a /32 of a shared carrier must not take the other
 *       tenants' calls.</li>
 *   <li>Within one customer: the token trunk, else the longest prefix, then priority and name.</li>
 *   <li>The dialled number (Request-URI user, else the To user; the To user when the Request-URI
 *       carries the token) in E.164 (else 484): the customer's DID → its application, else the
 *       trunk's application, else 404 {@code no_route}.</li>
 * </ol>
 * The IP index is an immutable snapshot rebuilt on each trunk change (copy on write): a lookup is
 * one hash probe per prefix length in use.
 */
public final class InboundMatcher implements InboundConflicts {
    public static final String TOKEN_PREFIX = "gw+";

    private final Map<String, Trunk> trunks = new ConcurrentHashMap<>();
    /** Dialled E.164 → the customers' DIDs with that number (DIDs are unique per customer only). */
    private final Map<String, Map<String, PhoneNumber>> numbers = new ConcurrentHashMap<>();
    /** Trunk id → its proxy's addresses (the contact token rule; the relay's challenge check). */
    private final Map<String, Set<String>> proxyAddresses = new ConcurrentHashMap<>();
    private final Function<Trunk, Set<String>> resolveProxy;
    private volatile IpIndex index = IpIndex.EMPTY;

    /** @param resolveProxy the numeric addresses of a trunk's proxy (called on changes, never per INVITE) */
    public InboundMatcher(Function<Trunk, Set<String>> resolveProxy) {
        this.resolveProxy = resolveProxy;
    }

    /** Trunk created (before null), changed, or deleted (after null). */
    public synchronized void trunkChanged(Trunk before, Trunk after) {
        if (before != null) {
            trunks.remove(before.id());
            proxyAddresses.remove(before.id());
        }
        if (after != null) {
            trunks.put(after.id(), after);
            // Every trunk's (outbound calls check 401/407 come from it; inbound the contact token).
            proxyAddresses.put(after.id(), Set.copyOf(resolveProxy.apply(after)));
        }
        index = IpIndex.of(trunks.values().stream().filter(InboundMatcher::inbound).toList());
    }

    /** Number created (before null), changed, or deleted (after null). */
    public void numberChanged(PhoneNumber before, PhoneNumber after) {
        if (before != null) {
            Map<String, PhoneNumber> m = numbers.get(before.number());
            if (m != null) {
                m.remove(before.customerId());
            }
        }
        if (after != null) {
            numbers.computeIfAbsent(after.number(), k -> new ConcurrentHashMap<>()).put(after.customerId(), after);
        }
    }

    /**
     * Resolves every trunk's proxy again (a carrier's DNS can move). Call it off the SIP threads
     * (it may wait on DNS); lookups keep seeing the previous addresses meanwhile.
     */
    public void refreshProxyAddresses() {
        for (Trunk t : trunks.values()) {
            Set<String> fresh = Set.copyOf(resolveProxy.apply(t));
            if (trunks.containsKey(t.id()) && !fresh.isEmpty()) {
                proxyAddresses.put(t.id(), fresh);
            }
        }
    }

    /** The numeric addresses of a trunk's proxy as last resolved (empty: unknown). */
    public Set<String> proxyAddresses(String trunkId) {
        return proxyAddresses.getOrDefault(trunkId, Set.of());
    }

    private static boolean inbound(Trunk t) {
        return t.spec().active() && t.spec().direction() != TrunkDirection.OUTBOUND;
    }

    /**
     * @param requestUriUser the Request-URI user as sent (may be null)
     * @param toUser         the To user as sent (may be null)
     */
    public InboundMatch match(InetAddress source, String requestUriUser, String toUser) {
        // 1. candidates by address, with the prefix that matched
        Map<Trunk, Integer> byIp = index.lookup(source);
        Trunk token = tokenTrunk(source, requestUriUser);
        Set<Trunk> candidates = new LinkedHashSet<>(byIp.keySet());
        if (token != null) {
            candidates.add(token);
        }
        if (candidates.isEmpty()) {
            return new InboundMatch.Refused(403, ErrorCode.UNKNOWN_SOURCE.code(),
                    "no active inbound trunk lists " + source.getHostAddress() + " in inbound_ip", null, List.of());
        }
        String dialledRaw = token != null || requestUriUser == null || requestUriUser.startsWith(TOKEN_PREFIX)
                ? toUser : requestUriUser;
        String dialled = E164.normalise(dialledRaw).orElse(null);

        // 2. across customers: verified DID, DID owner, contact token, then the first claim
        List<String> why = new ArrayList<>();
        Set<Trunk> chosen = candidates;
        if (customers(chosen).size() > 1 && dialled != null) {
            Map<String, PhoneNumber> owners = numbers.getOrDefault(dialled, Map.of());
            Set<Trunk> verified = filter(chosen, t -> owners.containsKey(t.customerId())
                    && owners.get(t.customerId()).verified());
            Set<Trunk> owning = filter(chosen, t -> owners.containsKey(t.customerId()));
            if (!verified.isEmpty()) {
                chosen = verified; // at most one customer holds a number verified
                why.add(dialled + " is the customer's verified number");
            } else if (!owning.isEmpty()) {
                chosen = owning;
                why.add("the customer owns " + dialled);
            }
        }
        if (customers(chosen).size() > 1 && token != null && chosen.contains(token)) {
            chosen = Set.of(token);
            why.add("contact token");
        }
        if (customers(chosen).size() > 1) {
            // A later tenant's overlapping range must never change where an earlier tenant's calls go.
            Trunk first = chosen.stream().min(Comparator.<Trunk, Instant>comparing(
                            t -> claimOf(t, source), Comparator.nullsLast(Comparator.naturalOrder()))
                    .thenComparing(Trunk::id)).orElseThrow();
            chosen = filter(chosen, t -> t.customerId().equals(first.customerId()));
            why.add("the customer's trunk claimed " + source.getHostAddress() + " first");
        }

        // 3. within the customer
        Trunk trunk = chosen.stream().min(Comparator
                .<Trunk>comparingInt(t -> t == token ? 0 : 1)
                .thenComparingInt(t -> -byIp.getOrDefault(t, -1))
                .thenComparingInt(t -> t.spec().priority())
                .thenComparing(t -> t.spec().name())).orElseThrow();
        why.add(0, trunk == token ? "contact token " + TOKEN_PREFIX + trunk.id() + " from the trunk's proxy"
                : "inbound_ip contains " + source.getHostAddress() + " (/" + byIp.get(trunk) + ")");

        // 4. the number
        if (dialled == null) {
            return new InboundMatch.Refused(484, ErrorCode.INVALID_DESTINATION.code(),
                    "the dialled number is not an E.164 number", trunk, List.copyOf(candidates));
        }
        PhoneNumber did = numbers.getOrDefault(dialled, Map.of()).get(trunk.customerId());
        if (did != null && did.applicationId() != null) {
            why.add(dialled + " is the customer's number " + did.id() + " → application " + did.applicationId());
            return new InboundMatch.Routed(trunk, dialled, did, did.applicationId(), String.join("; ", why),
                    List.copyOf(candidates));
        }
        if (trunk.spec().applicationId() != null) {
            why.add("the trunk's application " + trunk.spec().applicationId());
            return new InboundMatch.Routed(trunk, dialled, did, trunk.spec().applicationId(), String.join("; ", why),
                    List.copyOf(candidates));
        }
        return new InboundMatch.Refused(404, ErrorCode.NO_ROUTE.code(), dialled
                + " is not a number with an application, and the trunk has no application_id", trunk, List.copyOf(candidates));
    }

    /** The trunk named by a gw+&lt;id&gt; Request-URI user, when the INVITE comes from its proxy. */
    private Trunk tokenTrunk(InetAddress source, String requestUriUser) {
        if (requestUriUser == null || !requestUriUser.startsWith(TOKEN_PREFIX)) {
            return null;
        }
        Trunk t = trunks.get(requestUriUser.substring(TOKEN_PREFIX.length()));
        if (t == null || !inbound(t) || !proxyAddresses.getOrDefault(t.id(), Set.of()).contains(source.getHostAddress())) {
            return null;
        }
        return t;
    }

    private static Instant claimOf(Trunk t, InetAddress source) {
        return t.inboundClaims().claimOf(source);
    }

    /**
     * True when an active inbound range of this trunk overlaps a range another customer's trunk
     * claimed earlier: calls from the shared addresses go to that customer unless a DID decides.
     */
    @Override
    public boolean inboundConflict(String trunkId) {
        return index.conflicted.contains(trunkId);
    }

    private static Set<String> customers(Collection<Trunk> ts) {
        return ts.stream().map(Trunk::customerId).collect(Collectors.toSet());
    }

    private static Set<Trunk> filter(Set<Trunk> ts, java.util.function.Predicate<Trunk> keep) {
        Set<Trunk> out = new LinkedHashSet<>();
        for (Trunk t : ts) {
            if (keep.test(t)) {
                out.add(t);
            }
        }
        return out;
    }

    /** A trunk's range in the index. */
    private record Claim(Trunk trunk, IpRange range) {
    }

    /**
     * Immutable: for each prefix length in use, masked network → the trunks' ranges; and the trunks
     * whose range overlaps an earlier claim of another customer.
     */
    private static final class IpIndex {
        static final IpIndex EMPTY = new IpIndex(Map.of(), new int[0], new int[0], Set.of());
        private final Map<ByteBuffer, List<Claim>> byNetwork;
        private final int[] v4Prefixes;
        private final int[] v6Prefixes;
        final Set<String> conflicted;

        private IpIndex(Map<ByteBuffer, List<Claim>> byNetwork, int[] v4Prefixes, int[] v6Prefixes,
                        Set<String> conflicted) {
            this.byNetwork = byNetwork;
            this.v4Prefixes = v4Prefixes;
            this.v6Prefixes = v6Prefixes;
            this.conflicted = conflicted;
        }

        static IpIndex of(List<Trunk> trunks) {
            Map<ByteBuffer, List<Claim>> map = new HashMap<>();
            Set<Integer> v4 = new TreeSet<>(Comparator.reverseOrder());
            Set<Integer> v6 = new TreeSet<>(Comparator.reverseOrder());
            List<Claim> all = new ArrayList<>();
            for (Trunk t : trunks) {
                if (t.spec().inboundIp() == null) {
                    continue;
                }
                for (IpRange r : IpRange.parseList(t.spec().inboundIp())) {
                    (r.isIpv6() ? v6 : v4).add(r.prefixLength());
                    Claim c = new Claim(t, r);
                    map.computeIfAbsent(key(r.network(), r.prefixLength()), k -> new ArrayList<>()).add(c);
                    all.add(c);
                }
            }
            int[] v4p = v4.stream().mapToInt(i -> i).toArray();
            int[] v6p = v6.stream().mapToInt(i -> i).toArray();
            return new IpIndex(map, v4p, v6p, conflicts(map, all, v4p, v6p));
        }

        /**
         * Two ranges overlap when one contains the other's network: for each range, the ranges of
         * equal or shorter prefix containing it are found by one probe per prefix length in use.
         * Of two overlapping ranges of different customers, the later claim is the conflicted one.
         */
        private static Set<String> conflicts(Map<ByteBuffer, List<Claim>> map, List<Claim> all, int[] v4p, int[] v6p) {
            Set<String> out = new HashSet<>();
            for (Claim inner : all) {
                byte[] n = inner.range().network();
                for (int prefix : inner.range().isIpv6() ? v6p : v4p) {
                    if (prefix > inner.range().prefixLength()) {
                        continue;
                    }
                    for (Claim outer : map.getOrDefault(key(IpRange.mask(n, prefix), prefix), List.of())) {
                        if (outer.trunk().customerId().equals(inner.trunk().customerId())) {
                            continue;
                        }
                        out.add(later(inner, outer).trunk().id());
                    }
                }
            }
            return Set.copyOf(out);
        }

        private static Claim later(Claim a, Claim b) {
            Instant ta = a.trunk().inboundClaims().claimOf(a.range());
            Instant tb = b.trunk().inboundClaims().claimOf(b.range());
            ta = ta == null ? Instant.MAX : ta;
            tb = tb == null ? Instant.MAX : tb;
            int c = ta.compareTo(tb);
            return c > 0 || (c == 0 && a.trunk().id().compareTo(b.trunk().id()) > 0) ? a : b;
        }

        /** Trunks containing the address, each with its longest matching prefix. */
        Map<Trunk, Integer> lookup(InetAddress source) {
            byte[] a = source.getAddress();
            Map<Trunk, Integer> out = new HashMap<>();
            for (int prefix : a.length == 4 ? v4Prefixes : v6Prefixes) {
                List<Claim> cs = byNetwork.get(key(IpRange.mask(a, prefix), prefix));
                if (cs != null) {
                    for (Claim c : cs) {
                        out.putIfAbsent(c.trunk(), prefix); // prefixes run longest first
                    }
                }
            }
            return out;
        }

        private static ByteBuffer key(byte[] network, int prefix) {
            ByteBuffer b = ByteBuffer.allocate(network.length + 1);
            b.put(network).put((byte) prefix).flip();
            return b;
        }
    }
}
