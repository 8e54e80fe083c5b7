package eu.minivoice.gateway.sip;

import eu.minivoice.gateway.domain.AddressPolicy;
import eu.minivoice.gateway.sip.net.ConnectGate;
import eu.minivoice.gateway.domain.ProbeResult;
import eu.minivoice.gateway.domain.ProxyAddress;
import eu.minivoice.gateway.domain.SipReachability;
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

    public OptionsProbe(SipServer sip, Supplier<String> tokens, AddressPolicy targets, ConnectGate gate) {
        this.gate = gate;
        this.targets = targets;
        this.sip = sip;
        this.tokens = tokens;
    }

    @Override
    public CompletableFuture<ProbeResult> options(String owner, ProxyAddress proxy, Duration timeout) {
        CompletableFuture<ProbeResult> result = new CompletableFuture<>();
        long start = System.nanoTime();
        // The expiry covers the connect too: a carrier that never accepts costs the probe, not a thread.
        ScheduledFuture<?> expiry = timer.schedule(() -> result.complete(new ProbeResult(null, null, elapsed(start),
                "no answer in " + timeout.toMillis() + " ms")), timeout.toMillis(), TimeUnit.MILLISECONDS);
        result.whenComplete((r, e) -> expiry.cancel(false));
        gate.send(owner, proxy.transport().token(), proxy.host(), proxy.effectivePort(), () -> {
            if (result.isDone()) {
                return; // expired while waiting for a connect thread
            }
            String refused = targets.refusalOfAny(proxy.resolveNumeric());
            if (refused != null) {
                throw new ConnectGate.Refused("address refused: " + refused + AddressPolicy.HINT);
            }
            ClientTransaction tx = sip.externalProvider().getNewClientTransaction(build(proxy));
            result.whenComplete((r, e) -> {
                if (r != null && r.code() == null) {
                    terminate(tx); // expired: stop the retransmissions
                }
            });
            tx.setApplicationData(new TransactionCallback() {
                @Override
                public void onResponse(ResponseEvent event) {
                    int code = event.getResponse().getStatusCode();
                    if (code >= 200) {
                        result.complete(new ProbeResult(code, event.getResponse().getReasonPhrase(), elapsed(start), null));
                    }
                }

                @Override
                public void onTimeout() {
                    result.complete(new ProbeResult(null, null, elapsed(start), "transaction timeout"));
                }

                @Override
                public void onTransportError(String reason) {
                    result.complete(new ProbeResult(null, null, elapsed(start), reason));
                }
            });
            tx.sendRequest();
        }, reason -> {
            log.debug("OPTIONS to {} not sent: {}", proxy.host(), reason);
            result.complete(new ProbeResult(null, null, elapsed(start), reason));
        });
        return result;
    }

    private Request build(ProxyAddress proxy) throws Exception {
        AddressFactory af = sip.addressFactory();
        HeaderFactory hf = sip.headerFactory();
        String transport = proxy.transport().token();
        SipURI target = af.createSipURI(null, proxy.host());
        if (proxy.port() != 0) {
            target.setPort(proxy.port());
        }
        target.setTransportParam(transport);
        String host = sip.config().advertisedAddress();
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
