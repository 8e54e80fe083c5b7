package eu.minivoice.gateway.service;

import eu.minivoice.gateway.domain.AddressPolicy;
import eu.minivoice.gateway.domain.IpRange;
import eu.minivoice.gateway.domain.ProxyAddress;
import eu.minivoice.gateway.domain.SipTarget;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Checks a customer-supplied host or URL when it is saved: an address literal, or every address a
 * name resolves to now, against the {@link AddressPolicy} (docs/security.md). The answer helps the
 * customer at once; it is not the enforcement — a name can resolve elsewhere later, so the places
 * that connect check the address they actually use.
 *
 * <p>Names are resolved on two threads of our own with a bounded wait, never on the API worker
 * itself: a customer's slow DNS server costs that request at most {@code timeout}, and when
 * resolution cannot be had in time the name is accepted (checked at use).
 */
public final class TargetGuard implements AutoCloseable {
    private final AddressPolicy policy;
    private final Duration timeout;
    private final ThreadPoolExecutor resolver;

    public TargetGuard(AddressPolicy policy, Duration timeout) {
        this.policy = policy;
        this.timeout = timeout;
        AtomicInteger n = new AtomicInteger();
        this.resolver = new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(64), r -> {
            Thread t = new Thread(r, "target-dns-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    public AddressPolicy policy() {
        return policy;
    }

    /** Where a SIP name leads (RFC 3263: NAPTR, SRV, A/AAAA); null until the SIP side is up. */
    private volatile Function<ProxyAddress, CompletableFuture<List<SipTarget>>> sipLocator;

    /**
     * The SIP side's locator: trunk proxies are then judged by every server their name leads to,
     * and platform targets given as names are located as the SIP side locates them.
     */
    public void locateSipWith(Function<ProxyAddress, CompletableFuture<List<SipTarget>>> locator) {
        this.sipLocator = locator;
    }

    /**
     * Where a SIP name leads, as the SIP side locates it, within this guard's timeout; null when
     * the SIP side is not up (the caller then resolves the host's addresses itself).
     */
    public CompletableFuture<List<SipTarget>> locate(ProxyAddress address) {
        Function<ProxyAddress, CompletableFuture<List<SipTarget>>> locator = sipLocator;
        return locator == null ? null : locator.apply(address).orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Why a trunk proxy may not be a target: a literal as it is; a name by every server it leads to
     * now (NAPTR/SRV/A, within the guard's timeout; a name that cannot be located in time is judged
     * by its own addresses, and accepted when it has none: checked at use). Null when it may.
     */
    public String proxyRefusal(ProxyAddress proxy) {
        Function<ProxyAddress, CompletableFuture<List<SipTarget>>> locator = sipLocator;
        if (locator == null || proxy.literal()) {
            return hostRefusal(proxy.host());
        }
        List<InetAddress> servers;
        try {
            servers = locator.apply(proxy).get(timeout.toMillis(), TimeUnit.MILLISECONDS).stream()
                    .map(SipTarget::address).toList();
        } catch (TimeoutException | ExecutionException e) {
            return hostRefusal(proxy.host());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        for (InetAddress a : servers) {
            String refused = policy.refusal(a);
            if (refused != null) {
                return proxy.host() + " resolves to " + refused.replaceFirst("^\\S+ is ", "") + " (" + a.getHostAddress()
                        + ")" + AddressPolicy.HINT;
            }
        }
        return null;
    }

    /**
     * Why {@code host} (a name, an IPv4 literal or a bracketed IPv6 literal) may not be a target,
     * naming the setting that would allow it; null when it may.
     */
    public String hostRefusal(String host) {
        String why = why(host);
        return why == null ? null : why + AddressPolicy.HINT;
    }

    private String why(String host) {
        InetAddress literal = IpRange.literalAddress(host);
        if (literal != null) {
            return policy.refusal(literal);
        }
        // a name: judged by what it resolves to now
        CompletableFuture<InetAddress[]> lookup = resolveAsync(host);
        try {
            for (InetAddress a : lookup.get(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                String refused = policy.refusal(a);
                if (refused != null) {
                    return host + " resolves to " + refused.replaceFirst("^\\S+ is ", "")
                            + " (" + a.getHostAddress() + ")";
                }
            }
            return null;
        } catch (TimeoutException | ExecutionException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * Every address of {@code host}, resolved on the guard's own threads within the guard's
     * timeout; completes exceptionally when it cannot be had (unknown, too slow, too busy).
     */
    public CompletableFuture<InetAddress[]> resolveAsync(String host) {
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return InetAddress.getAllByName(host);
                } catch (UnknownHostException e) {
                    throw new CompletionException(e);
                }
            }, resolver).orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException busy) {
            return CompletableFuture.failedFuture(busy);
        }
    }

    /** {@link #hostRefusal} for the host of a URL already known to be well formed. */
    public String urlRefusal(String url) {
        String host = URI.create(url).getHost();
        return host == null ? null : hostRefusal(host);
    }

    @Override
    public void close() {
        resolver.shutdownNow();
    }
}
