package eu.minivoice.gateway.sip.dns;

import eu.minivoice.gateway.domain.IpRange;
import eu.minivoice.gateway.domain.ProxyAddress;
import eu.minivoice.gateway.domain.SipTarget;
import eu.minivoice.gateway.domain.SipTransport;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Cache;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.NAPTRRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;
import org.xbill.DNS.lookup.LookupSession;
import org.xbill.DNS.lookup.NoSuchDomainException;
import org.xbill.DNS.lookup.NoSuchRRSetException;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.random.RandomGenerator;

/**
 * RFC 3263 §4 with dnsjava: NAPTR → SRV → A/AAAA, asynchronous (dnsjava's own I/O thread; nothing
 * here waits), answers cached for their TTL (dnsjava's {@link Cache}), SRV priority and weight
 * honoured (RFC 2782). docs/registration.md, "Proxy names", says which forms look up what.
 */
public final class DnsSipLocator implements SipLocator {
    /** Enough failover for any real carrier; a zone listing hundreds of servers costs no more. */
    static final int MAX_TARGETS = 16;

    private final LookupSession session;
    private final Set<SipTransport> offered;
    private final boolean ipv4;
    private final boolean ipv6;
    private final RandomGenerator random;

    /**
     * @param servers  DNS servers to ask ({@code host:port}); empty: the system's (/etc/resolv.conf)
     * @param offered  transports this gateway can send on: NAPTR/SRV records of others are skipped
     * @param ipv4     whether the gateway can send to IPv4 servers (A records are asked)
     * @param ipv6     whether it can send to IPv6 servers (AAAA records are asked)
     * @param executor where lookups complete (never a SIP thread)
     */
    public DnsSipLocator(List<InetSocketAddress> servers, Duration timeout, Set<SipTransport> offered,
                         boolean ipv4, boolean ipv6, Executor executor, RandomGenerator random) {
        Resolver resolver;
        if (servers.isEmpty()) {
            resolver = new ExtendedResolver();
        } else {
            List<Resolver> list = new ArrayList<>();
            servers.forEach(s -> list.add(new SimpleResolver(s)));
            resolver = new ExtendedResolver(list);
        }
        resolver.setTimeout(timeout);
        this.session = LookupSession.builder().resolver(resolver).cache(new Cache(DClass.IN))
                .defaultHostsFileParser().executor(executor).build();
        this.offered = Set.copyOf(offered);
        this.ipv4 = ipv4;
        this.ipv6 = ipv6;
        this.random = random;
    }

    @Override
    public CompletableFuture<List<SipTarget>> locate(ProxyAddress proxy) {
        InetAddress literal = IpRange.literalAddress(proxy.host());
        if (literal != null) {
            return CompletableFuture.completedFuture(List.of(new SipTarget(literal, proxy.effectivePort(),
                    proxy.transport())));
        }
        String domain = proxy.host().endsWith(".") ? proxy.host() : proxy.host() + ".";
        // A query that fails (timeout, SERVFAIL, REFUSED) counts as no records, so one broken record
        // type (AAAA refused by a resolver, say) does not hide the servers the others found; the
        // first failure is the reason when nothing is found at all.
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        CompletableFuture<List<SipTarget>> found;
        if (proxy.port() != 0) {
            // §4.2: an explicit port means no SRV, only the host's addresses.
            found = addresses(domain, proxy.port(), proxy.transport(), failures);
        } else if (proxy.transportFromDns()) {
            found = naptr(domain, failures).thenCompose(choices -> {
                if (choices.isEmpty()) {
                    // §4.1, no NAPTR: an SRV query per transport we offer, in our order of preference.
                    for (SipTransport t : SipTransport.values()) {
                        if (offered.contains(t) && t != SipTransport.TLS) {
                            choices.add(new NaptrChoice.Choice(t, NaptrChoice.srvName(t, domain)));
                        }
                    }
                }
                return srv(choices, failures);
            }).thenCompose(list -> list.isEmpty()
                    ? addresses(domain, SipTransport.UDP.defaultPort(), SipTransport.UDP, failures)
                    : CompletableFuture.completedFuture(list));
        } else {
            // Transport given (or sips:): SRV for that transport, else the host's addresses.
            found = srv(new ArrayList<>(List.of(new NaptrChoice.Choice(proxy.transport(),
                    NaptrChoice.srvName(proxy.transport(), domain)))), failures)
                    .thenCompose(list -> list.isEmpty()
                            ? addresses(domain, proxy.effectivePort(), proxy.transport(), failures)
                            : CompletableFuture.completedFuture(list));
        }
        return found.thenApply(list -> {
            if (list.isEmpty()) {
                throw new CompletionException(failures.isEmpty() ? new UnknownHostException("no SIP server found for "
                        + proxy.host() + " (NAPTR, SRV, A/AAAA)") : failures.get(0));
            }
            return List.copyOf(list);
        });
    }

    private CompletableFuture<List<NaptrChoice.Choice>> naptr(String domain, List<Throwable> failures) {
        return lookup(domain, Type.NAPTR, failures).thenApply(records -> {
            List<NaptrChoice.Naptr> naptrs = new ArrayList<>();
            for (Record r : records) {
                if (r instanceof NAPTRRecord n) {
                    naptrs.add(new NaptrChoice.Naptr(n.getOrder(), n.getPreference(), n.getFlags(), n.getService(),
                            n.getReplacement().toString()));
                }
            }
            return new ArrayList<>(NaptrChoice.choose(naptrs, offered));
        });
    }

    /** Every choice's SRV targets, in the choices' order, each SRV set in RFC 2782 order. */
    private CompletableFuture<List<SipTarget>> srv(List<NaptrChoice.Choice> choices, List<Throwable> failures) {
        List<CompletableFuture<List<SipTarget>>> parts = new ArrayList<>();
        for (NaptrChoice.Choice c : choices.subList(0, Math.min(choices.size(), MAX_TARGETS))) {
            parts.add(lookup(c.srvName(), Type.SRV, failures).thenCompose(records -> {
                List<SrvOrder.Srv> srvs = new ArrayList<>();
                for (Record r : records) {
                    if (r instanceof SRVRecord s && !s.getTarget().equals(Name.root)) { // "." = no service here
                        srvs.add(new SrvOrder.Srv(s.getPriority(), s.getWeight(), s.getPort(), s.getTarget().toString()));
                    }
                }
                List<CompletableFuture<List<SipTarget>>> hosts = new ArrayList<>();
                List<SrvOrder.Srv> ordered = SrvOrder.order(srvs, random);
                // A zone listing hundreds of targets costs no more lookups than MAX_TARGETS servers.
                for (SrvOrder.Srv s : ordered.subList(0, Math.min(ordered.size(), MAX_TARGETS))) {
                    hosts.add(addresses(s.target(), s.port(), c.transport(), failures));
                }
                return concat(hosts);
            }));
        }
        return concat(parts);
    }

    /** A then AAAA addresses of a host, of the families the gateway can send to. */
    private CompletableFuture<List<SipTarget>> addresses(String host, int port, SipTransport transport,
                                                         List<Throwable> failures) {
        CompletableFuture<List<Record>> a = ipv4 ? lookup(host, Type.A, failures) : CompletableFuture.completedFuture(List.of());
        CompletableFuture<List<Record>> aaaa = ipv6 ? lookup(host, Type.AAAA, failures)
                : CompletableFuture.completedFuture(List.of());
        return a.thenCombine(aaaa, (v4, v6) -> {
            List<SipTarget> out = new ArrayList<>();
            for (Record r : v4) {
                if (r instanceof ARecord x) {
                    out.add(new SipTarget(x.getAddress(), port, transport));
                }
            }
            for (Record r : v6) {
                if (r instanceof AAAARecord x) {
                    out.add(new SipTarget(x.getAddress(), port, transport));
                }
            }
            return out;
        });
    }

    private static CompletableFuture<List<SipTarget>> concat(List<CompletableFuture<List<SipTarget>>> parts) {
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(v -> {
            Set<SipTarget> out = new LinkedHashSet<>();
            for (CompletableFuture<List<SipTarget>> p : parts) {
                for (SipTarget t : p.join()) {
                    if (out.size() < MAX_TARGETS) {
                        out.add(t);
                    }
                }
            }
            return new ArrayList<>(out);
        });
    }

    /**
     * The records of a type; none when the name or the type does not exist, and none when the
     * query fails (timeout, SERVFAIL…), which is added to {@code failures}.
     */
    private CompletableFuture<List<Record>> lookup(String name, int type, List<Throwable> failures) {
        Name n;
        try {
            n = Name.fromString(name.endsWith(".") ? name : name + ".");
        } catch (TextParseException e) {
            failures.add(new UnknownHostException("not a DNS name: " + name));
            return CompletableFuture.completedFuture(List.of());
        }
        return session.lookupAsync(n, type).toCompletableFuture()
                .thenApply(r -> (List<Record>) new ArrayList<>(r.getRecords()))
                .exceptionally(e -> {
                    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                    if (cause instanceof NoSuchDomainException || cause instanceof NoSuchRRSetException) {
                        return List.of();
                    }
                    UnknownHostException failed = new UnknownHostException("DNS " + Type.string(type) + " " + name
                            + ": " + (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage()));
                    failed.initCause(cause);
                    failures.add(failed);
                    return List.of();
                });
    }
}
