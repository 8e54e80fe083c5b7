package eu.minivoice.gateway.service;

import eu.minivoice.gateway.actions.Action;
import eu.minivoice.gateway.actions.InvalidActionsException;
import eu.minivoice.gateway.actions.TargetCheck;
import eu.minivoice.gateway.domain.AddressPolicy;
import eu.minivoice.gateway.domain.IpRange;

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
 * host names are resolved on the {@link TargetGuard}'s threads (never the caller's), bounded by its
 * timeout, and every address they resolve to must pass. A forward target's host name is
 * replaced by the first address checked.
 */
public final class ActionTargets implements TargetCheck {
    /** scheme, user@ (optional), host, :port (optional), the rest (;params). */
    private static final Pattern URI = Pattern.compile("(sips?):((?:[^@]*@)?)(\\[[^\\]]+\\]|[^:;\\[\\]]+)((?::\\d+)?)(.*)");

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

}
