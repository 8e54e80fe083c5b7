package eu.minivoice.gateway.sip;

import eu.minivoice.gateway.domain.AddressPolicy;
import eu.minivoice.gateway.sip.net.ConnectGate;
import eu.minivoice.gateway.domain.ProbeResult;
import eu.minivoice.gateway.domain.ProxyAddress;
import eu.minivoice.gateway.domain.SipReachability;
import eu.minivoice.gateway.domain.SipTarget;
import eu.minivoice.gateway.sip.dns.DnsFailure;
import eu.minivoice.gateway.sip.dns.SipLocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sip.ClientTransaction;
import javax.sip.ResponseEvent;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.header.HeaderFactory;
import javax.sip.message.Request;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * OPTIONS pings to carrier proxies (keep-alive health and the readiness test). Its own timeout,
 * shorter than the transaction's 32 s, ends the transaction so nothing retransmits afterwards.
 */
public final class OptionsProbe implements SipReachability, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OptionsProbe.class);

    private final SipServer sip;
    private final Supplier<String> tokens;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sip-probe-timer");
        t.setDaemon(true);
        return t;
    });

    /** A proxy whose name now resolves to a private address is not probed (docs/security.md). */
    private final AddressPolicy targets;

    /** Sends that may wait on the carrier run off the caller's thread. */
    private final ConnectGate gate;

    /** Where a proxy name leads (RFC 3263), without waiting. */
    private final SipLocator locator;

    public OptionsProbe(SipServer sip, Supplier<String> tokens, AddressPolicy targets, ConnectGate gate,
                        SipLocator locator) {
        this.gate = gate;
        this.targets = targets;
        this.sip = sip;
        this.tokens = tokens;
        this.locator = locator;
    }

    /**
     * An OPTIONS to the proxy. A name's servers (RFC 3263) are tried in order: a timeout (its share
     * of {@code timeout}), a transport error or a 503 moves on to the next; the last one's answer counts.
     */
    @Override
    public CompletableFuture<ProbeResult> options(String owner, ProxyAddress proxy, Duration timeout) {
        CompletableFuture<ProbeResult> result = new CompletableFuture<>();
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        // The expiry covers the lookup and the connect too: a carrier that never answers costs the
        // probe, not a thread.
        AtomicReference<String> asked = new AtomicReference<>(); // the server being asked, for the report
        ScheduledFuture<?> expiry = timer.schedule(() -> result.complete(new ProbeResult(null, null, elapsed(start),
                "no answer in " + timeout.toMillis() + " ms", asked.get())), timeout.toMillis(), TimeUnit.MILLISECONDS);
        result.whenComplete((r, e) -> expiry.cancel(false));
        locator.locate(proxy).whenComplete((found, error) -> {
            if (error != null) {
                result.complete(new ProbeResult(null, null, elapsed(start), DnsFailure.reason(error), null));
                return;
            }
            java.util.Set<String> addresses = SipTarget.hosts(found);
            String refused = targets.refusalOfAny(addresses);
            if (refused != null) {
                result.complete(new ProbeResult(null, null, elapsed(start), "address refused: " + refused
                        + AddressPolicy.HINT, null));
                return;
            }
            attempt(owner, proxy, found, 0, result, start, deadline, asked);
        });
        return result;
    }

    private void attempt(String owner, ProxyAddress proxy, List<SipTarget> list, int i,
                         CompletableFuture<ProbeResult> result, long start, long deadline, AtomicReference<String> asked) {
        if (result.isDone()) {
            return; // expired
        }
        SipTarget target = list.get(i);
        asked.set(target.toString());
        boolean last = i + 1 == list.size();
        // This target's share of the time left; the last one has all of it (the overall expiry).
        long share = (deadline - System.nanoTime()) / (list.size() - i);
        gate.send(owner, target.transport().token(), target.host(), target.port(), () -> {
            if (result.isDone()) {
                return;
            }
            if (sip.externalProvider().getListeningPoint(target.transport().token()) == null) {
                throw new ConnectGate.Refused("transport " + target.transport().token() + " is not offered by this gateway");
            }
            ClientTransaction tx = sip.clientTransaction(build(proxy, target), target, proxy.host());
            AtomicBoolean over = new AtomicBoolean();
            Runnable next = () -> {
                if (over.compareAndSet(false, true)) {
                    terminate(tx);
                    attempt(owner, proxy, list, i + 1, result, start, deadline, asked);
                }
            };
            ScheduledFuture<?> giveUp = last ? null : timer.schedule(next, Math.max(share, 0), TimeUnit.NANOSECONDS);
            result.whenComplete((r, e) -> {
                if (r != null && r.code() == null) {
                    terminate(tx); // expired: stop the retransmissions
                }
            });
            tx.setApplicationData(new TransactionCallback() {
                @Override
                public void onResponse(ResponseEvent event) {
                    int code = event.getResponse().getStatusCode();
                    if (code < 200 || over.get()) {
                        return;
                    }
                    if (code == 503 && !last) {
                        cancel(giveUp);
                        next.run();
                        return;
                    }
                    over.set(true);
                    cancel(giveUp);
                    result.complete(new ProbeResult(code, event.getResponse().getReasonPhrase(), elapsed(start), null,
                            target.toString()));
                }

                @Override
                public void onTimeout() {
                    failed("transaction timeout");
                }

                @Override
                public void onTransportError(String reason) {
                    failed(reason);
                }

                private void failed(String reason) {
                    cancel(giveUp);
                    if (!last) {
                        next.run();
                    } else if (over.compareAndSet(false, true)) {
                        result.complete(new ProbeResult(null, null, elapsed(start), reason, target.toString()));
                    }
                }
            });
            tx.sendRequest();
        }, reason -> {
            log.debug("OPTIONS to {} ({}) not sent: {}", proxy.host(), target, reason);
            if (!last) {
                attempt(owner, proxy, list, i + 1, result, start, deadline, asked);
            } else {
                result.complete(new ProbeResult(null, null, elapsed(start), reason, target.toString()));
            }
        });
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

    private Request build(ProxyAddress proxy, SipTarget chosen) throws Exception {
        AddressFactory af = sip.addressFactory();
        HeaderFactory hf = sip.headerFactory();
        String transport = chosen.transport().token();
        SipURI target = af.createSipURI(null, proxy.host());
        if (proxy.port() != 0) {
            target.setPort(proxy.port());
        }
        target.setTransportParam(transport);
        String host = sip.advertisedAddress(false, chosen.address() instanceof java.net.Inet6Address);
        int port = sip.externalPort(transport);
        SipURI from = af.createSipURI("ping", host);
        Request req = sip.messageFactory().createRequest(target, Request.OPTIONS,
                sip.externalProvider().getNewCallId(), hf.createCSeqHeader(1L, Request.OPTIONS),
                hf.createFromHeader(af.createAddress(from), tokens.get()),
                hf.createToHeader(af.createAddress(af.createSipURI(null, proxy.host())), null),
                List.of(hf.createViaHeader(host, port, transport, null)), hf.createMaxForwardsHeader(70));
        req.addHeader(hf.createUserAgentHeader(List.of("MiniVoice-Gateway")));
        req.addHeader(hf.createAcceptHeader("application", "sdp"));
        return req;
    }

    private static long elapsed(long start) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    private static void terminate(ClientTransaction tx) {
        try {
            tx.terminate();
        } catch (Exception ignored) {
            // already ended
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
