package eu.minivoice.gateway.service;

import eu.minivoice.gateway.actions.Action;
import eu.minivoice.gateway.actions.InvalidActionsException;
import eu.minivoice.gateway.actions.TargetCheck;
import eu.minivoice.gateway.domain.AddressPolicy;
import eu.minivoice.gateway.domain.IpRange;
import eu.minivoice.gateway.domain.ProxyAddress;
import eu.minivoice.gateway.domain.SipTarget;
import eu.minivoice.gateway.domain.SipTransport;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link TargetCheck} with the gateway's {@link AddressPolicy}: literal hosts are judged at once;
 * host names are resolved off the caller's thread, bounded by the {@link TargetGuard}'s timeout,
 * and every address they lead to must pass. A platform target's host name (forward, connect_to)
 * is located as the SIP side locates carrier proxies (RFC 3263: NAPTR → SRV → A/AAAA, the same DNS
 * servers; an explicit port means A/AAAA only) and replaced by the first server found, with its
 * port and transport — so nothing resolves it again later. Redirect targets are only checked.
 */
public final class ActionTargets implements TargetCheck {
    /** scheme, user@ (optional), host, :port (optional), the rest (;params). */
    private static final Pattern URI = Pattern.compile("(sips?):((?:[^@]*@)?)(\\[[^\\]]+\\]|[^:;\\[\\]]+)((?::\\d+)?)(.*)");

    private static final Pattern TRANSPORT = Pattern.compile("(?i);transport=([a-z]+)");
    private static final Pattern TRANSPORT_PARAM = Pattern.compile("(?i);transport=[^;?]*");

    private final AddressPolicy policy;
    private final TargetGuard guard;

    public ActionTargets(TargetGuard guard) {
        this.policy = guard.policy();
        this.guard = guard;
    }

    @Override
    public CompletableFuture<List<Action>> vet(List<Action> actions) {
        List<CompletableFuture<Action>> each = new ArrayList<>();
        for (Action a : actions) {
            if (a instanceof Action.Forward f) {
                List<CompletableFuture<String>> targets = f.targets().stream().map(t -> pinned(t, true)).toList();
                each.add(CompletableFuture.allOf(targets.toArray(CompletableFuture[]::new))
                        .thenApply(v -> new Action.Forward(targets.stream().map(CompletableFuture::join).toList(),
                                f.timeoutSeconds())));
            } else if (a instanceof Action.Redirect r && r.to().startsWith("sip")) {
                // The carrier follows a redirect, not us: checked, not pinned.
                each.add(pinned(r.to(), false).thenApply(x -> r));
            } else {
                each.add(CompletableFuture.completedFuture(a));
            }
        }
        return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
                .thenApply(v -> each.stream().map(CompletableFuture::join).toList());
    }

    /**
     * One platform SIP target checked like a forward target (a placed call's connect_to): the
     * same URI with its host replaced by the checked address; completes exceptionally with
     * {@link InvalidActionsException} saying why it is refused. Never waits on the calling thread.
     */
    public CompletableFuture<String> pinnedTarget(String target) {
        return pinned(target, true);
    }

    /** The target with its host checked (and, when {@code pin}, replaced by the checked address). */
    private CompletableFuture<String> pinned(String target, boolean pin) {
        Matcher m = URI.matcher(target);
        if (!m.matches()) {
            return CompletableFuture.failedFuture(new InvalidActionsException(target + ": not a SIP URI with a host"));
        }
        String host = m.group(3);
        String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        InetAddress literal = IpRange.literalAddress(bare);
        if (literal != null) {
            String why = policy.refusal(literal);
            return why == null ? CompletableFuture.completedFuture(target)
                    : CompletableFuture.failedFuture(new InvalidActionsException("target " + target + ": " + why
                    + AddressPolicy.HINT));
        }
        if (pin) {
            CompletableFuture<String> located = located(target, m, bare);
            if (located != null) {
                return located;
            }
        }
        return guard.resolveAsync(bare).handle((addresses, error) -> {
                    if (error != null) {
                        if (!pin) {
                            return target; // a redirect the gateway cannot resolve: the carrier may
                        }
                        throw new CompletionException(new InvalidActionsException("target " + target
                                + ": host " + bare + " cannot be resolved"));
                    }
                    for (InetAddress a : addresses) {
                        String why = policy.refusal(a);
                        if (why != null) {
                            throw new CompletionException(new InvalidActionsException("target " + target + ": "
                                    + bare + " resolves to " + why.replaceFirst("^\\S+ is ", "") + AddressPolicy.HINT));
                        }
                    }
                    if (!pin) {
                        return target;
                    }
                    InetAddress first = addresses[0];
                    String h = first instanceof Inet6Address ? "[" + first.getHostAddress() + "]" : first.getHostAddress();
                    return m.group(1) + ":" + m.group(2) + h + m.group(4) + m.group(5);
                });
    }

    /**
     * A platform target named by a host name, located with the SIP side's locator and pinned to
     * its first UDP or TCP server (the platform side has no TLS); null when the SIP side is not up.
     */
    private CompletableFuture<String> located(String target, Matcher m, String host) {
        Matcher t = TRANSPORT.matcher(m.group(5));
        ProxyAddress address;
        try {
            address = ProxyAddress.parse("sip:" + host + m.group(4) + (t.find() ? ";transport=" + t.group(1) : ""));
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(new InvalidActionsException("target " + target + ": " + e.getMessage()));
        }
        CompletableFuture<List<SipTarget>> servers = guard.locate(address);
        if (servers == null) {
            return null;
        }
        return servers.handle((found, error) -> {
            if (error != null) {
                throw new CompletionException(new InvalidActionsException("target " + target + ": host " + host
                        + " cannot be located (" + rootMessage(error) + ")"));
            }
            List<SipTarget> usable = found.stream()
                    .filter(s -> s.transport() == SipTransport.UDP || s.transport() == SipTransport.TCP).toList();
            if (usable.isEmpty()) {
                throw new CompletionException(new InvalidActionsException("target " + target + ": " + host
                        + " leads to no UDP or TCP server (the platform side has no TLS)"));
            }
            for (SipTarget s : usable) {
                String why = policy.refusal(s.address());
                if (why != null) {
                    throw new CompletionException(new InvalidActionsException("target " + target + ": " + host
                            + " leads to " + why.replaceFirst("^\\S+ is ", "") + AddressPolicy.HINT));
                }
            }
            SipTarget first = usable.get(0);
            String h = first.address() instanceof Inet6Address ? "[" + first.host() + "]" : first.host();
            String params = TRANSPORT_PARAM.matcher(m.group(5)).replaceAll("");
            return m.group(1) + ":" + m.group(2) + h + ":" + first.port() + ";transport=" + first.transport().token()
                    + params;
        });
    }

    private static String rootMessage(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof java.util.concurrent.ExecutionException)
                && e.getCause() != null) {
            e = e.getCause();
        }
        return e instanceof java.util.concurrent.TimeoutException ? "no answer in time" : String.valueOf(e.getMessage());
    }

}
