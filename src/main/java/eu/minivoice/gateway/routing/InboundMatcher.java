package eu.minivoice.gateway.routing;

import eu.minivoice.gateway.domain.E164;
import eu.minivoice.gateway.domain.ErrorCode;
import eu.minivoice.gateway.domain.IpRange;
import eu.minivoice.gateway.domain.PhoneNumber;
import eu.minivoice.gateway.domain.Trunk;
import eu.minivoice.gateway.domain.TrunkDirection;

import java.net.InetAddress;
import java.nio.ByteBuffer;
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
 * Which trunk a carrier INVITE belongs to, and where it goes (DESIGN §5), from memory only: the
 * trunks and numbers are indexed here and kept current by the API's change notifications, so a
 * SIP thread never reads the database for it.
 *
 * <p>Rules, in order (docs/inbound.md):
 * <ol>
 *   <li>Candidates: active inbound-capable trunks whose {@code inbound_ip} contains the source, plus
 *       the trunk named by a {@code gw+<trunk id>} contact token in the Request-URI when the source
 *       is one of that trunk's proxy addresses.</li>
 *   <li>Carriers are shared between customers. When the candidates belong to several customers:
 *       those of the customers owning the dialled DID; then the contact token. Still several
 *       customers: 403 {@code ambiguous_trunk} — never a guess across tenants. The prefix length
 *       does not decide between customers: a tenant listing a /32 of a shared carrier must not
 *       take the other tenants' calls.</li>
 *   <li>Within one customer: the token trunk, else the longest prefix, then priority and name.</li>
 *   <li>The dialled number (Request-URI user, else the To user; the To user when the Request-URI
 *       carries the token) in E.164 (else 484): the customer's DID → its application, else the
 *       trunk's application, else 404 {@code no_route}.</li>
 * </ol>
 * The IP index is an immutable snapshot rebuilt on each trunk change (copy on write): a lookup is
 * one hash probe per prefix length in use.
 */
public final class InboundMatcher {
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

        // 2. across customers: DID owner, then contact token
        List<String> why = new ArrayList<>();
        Set<Trunk> chosen = candidates;
        if (customers(chosen).size() > 1 && dialled != null) {
            Map<String, PhoneNumber> owners = numbers.getOrDefault(dialled, Map.of());
            Set<Trunk> owning = filter(chosen, t -> owners.containsKey(t.customerId()));
            if (!owning.isEmpty()) {
                chosen = owning;
                why.add("the customer owns " + dialled);
            }
        }
        if (customers(chosen).size() > 1 && token != null && chosen.contains(token)) {
            chosen = Set.of(token);
            why.add("contact token");
        }
        if (customers(chosen).size() > 1) {
            return new InboundMatch.Refused(403, ErrorCode.AMBIGUOUS_TRUNK.code(),
                    "trunks of several customers match " + source.getHostAddress()
                            + " and neither the dialled number nor a contact token decides", null, List.copyOf(chosen));
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
                    "the dialled number is not an E.164 number", trunk, List.of(trunk));
        }
        PhoneNumber did = numbers.getOrDefault(dialled, Map.of()).get(trunk.customerId());
        if (did != null && did.applicationId() != null) {
            why.add(dialled + " is the customer's number " + did.id() + " → application " + did.applicationId());
            return new InboundMatch.Routed(trunk, dialled, did, did.applicationId(), String.join("; ", why));
        }
        if (trunk.spec().applicationId() != null) {
            why.add("the trunk's application " + trunk.spec().applicationId());
            return new InboundMatch.Routed(trunk, dialled, did, trunk.spec().applicationId(), String.join("; ", why));
        }
        return new InboundMatch.Refused(404, ErrorCode.NO_ROUTE.code(), dialled
                + " is not a number with an application, and the trunk has no application_id", trunk, List.of(trunk));
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

    /** Immutable: for each prefix length in use, masked network → trunks. */
    private static final class IpIndex {
        static final IpIndex EMPTY = new IpIndex(Map.of(), new int[0], new int[0]);
        private final Map<ByteBuffer, List<Trunk>> byNetwork;
        private final int[] v4Prefixes;
        private final int[] v6Prefixes;

        private IpIndex(Map<ByteBuffer, List<Trunk>> byNetwork, int[] v4Prefixes, int[] v6Prefixes) {
            this.byNetwork = byNetwork;
            this.v4Prefixes = v4Prefixes;
            this.v6Prefixes = v6Prefixes;
        }

        static IpIndex of(List<Trunk> trunks) {
            Map<ByteBuffer, List<Trunk>> map = new HashMap<>();
            Set<Integer> v4 = new TreeSet<>(Comparator.reverseOrder());
            Set<Integer> v6 = new TreeSet<>(Comparator.reverseOrder());
            for (Trunk t : trunks) {
                if (t.spec().inboundIp() == null) {
                    continue;
                }
                for (IpRange r : IpRange.parseList(t.spec().inboundIp())) {
                    (r.isIpv6() ? v6 : v4).add(r.prefixLength());
                    map.computeIfAbsent(key(r.network(), r.prefixLength()), k -> new ArrayList<>()).add(t);
                }
            }
            return new IpIndex(map, v4.stream().mapToInt(i -> i).toArray(), v6.stream().mapToInt(i -> i).toArray());
        }

        /** Trunks containing the address, each with its longest matching prefix. */
        Map<Trunk, Integer> lookup(InetAddress source) {
            byte[] a = source.getAddress();
            Map<Trunk, Integer> out = new HashMap<>();
            Set<Trunk> seen = new HashSet<>();
            for (int prefix : a.length == 4 ? v4Prefixes : v6Prefixes) {
                List<Trunk> ts = byNetwork.get(key(IpRange.mask(a, prefix), prefix));
                if (ts != null) {
                    for (Trunk t : ts) {
                        if (seen.add(t)) {
                            out.put(t, prefix); // prefixes run longest first
                        }
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
