package eu.minivoice.gateway.sip.registration;

import eu.minivoice.gateway.domain.ProxyAddress;
import eu.minivoice.gateway.domain.SipTarget;
import eu.minivoice.gateway.domain.SipTransport;
import eu.minivoice.gateway.sip.dns.DnsFailure;
import eu.minivoice.gateway.sip.dns.SipLocator;
import eu.minivoice.gateway.sip.DigestChallenge;
import eu.minivoice.gateway.sip.SipServer;
import eu.minivoice.gateway.sip.TransactionCallback;
import eu.minivoice.gateway.sip.registration.RegistrationContext.OutgoingRegister;
import gov.nist.javax.sip.ResponseEventExt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sip.ClientTransaction;
import javax.sip.ResponseEvent;
import javax.sip.address.Address;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.header.AuthorizationHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.MinExpiresHeader;
import javax.sip.header.ProxyAuthenticateHeader;
import javax.sip.header.ProxyAuthorizationHeader;
import javax.sip.header.RetryAfterHeader;
import javax.sip.header.WWWAuthenticateHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import eu.minivoice.gateway.domain.AddressPolicy;
import eu.minivoice.gateway.sip.net.ConnectGate;

import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Builds REGISTER requests (docs/product.md §3) and sends them through the carrier-facing provider as
 * client transactions; reduces each final answer to a {@link RegistrarResponse}.
 */
public final class JainSipRegisterSender implements RegisterSender, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JainSipRegisterSender.class);

    private final SipServer sip;
    /** One Call-ID and From tag per trunk for the life of the process (RFC 3261 §10.2.4). */
    private final Map<String, String[]> dialogIds = new ConcurrentHashMap<>();
    private final java.util.function.Supplier<String> tokens;
    /** Where the trunk's last REGISTER went (address, port, transport), for the TCP connection watch. */
    private final Map<String, SipTarget> lastDestination = new ConcurrentHashMap<>();
    /** The trunk's latest REGISTER transaction: a new attempt ends the old one's retransmissions. */
    private final Map<String, ClientTransaction> current = new ConcurrentHashMap<>();

    /** A proxy whose name now resolves to a private address is not registered to (docs/security.md). */
    private final AddressPolicy targets;

    /** Sends that may wait on the carrier (a new TCP/TLS connection) run off the registration thread. */
    private final ConnectGate gate;

    /** Where a proxy name leads (RFC 3263: NAPTR → SRV → A/AAAA), without waiting. */
    private final SipLocator locator;

    /** The engine's wait for a final answer: the servers of a name share it. */
    private final java.time.Duration answerTimeout;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread th = new Thread(r, "sip-register-failover");
        th.setDaemon(true);
        return th;
    });

    public JainSipRegisterSender(SipServer sip, java.util.function.Supplier<String> tokens, AddressPolicy targets,
                                 ConnectGate gate, SipLocator locator, java.time.Duration answerTimeout) {
        this.answerTimeout = answerTimeout;
        this.gate = gate;
        this.targets = targets;
        this.sip = sip;
        this.tokens = tokens;
        this.locator = locator;
    }

    @Override
    public void send(RegistrationTarget t, OutgoingRegister r, Sink sink) {
        ProxyAddress proxy = t.proxy();
        if (!proxy.transportFromDns() && !offers(proxy.transport())) {
            sink.onFailure(notOffered(proxy.transport()), false);
            return;
        }
        locator.locate(proxy).whenComplete((found, error) -> {
            if (error != null) {
                sink.onFailure(DnsFailure.reason(error), false);
                return;
            }
            Set<String> addresses = SipTarget.hosts(found);
            // Every address a name leads to must be allowed: the digest-leak guard compares
            // answers against these addresses (docs/security.md).
            String refused = targets.refusalOfAny(addresses);
            if (refused != null) {
                sink.onFailure("proxy " + proxy.host() + " resolves to " + refused.replaceFirst("^\\S+ is ", "")
                        + AddressPolicy.HINT, false);
                return;
            }
            attempt(t, r, sink, found, 0, addresses);
        });
    }

    private boolean offers(SipTransport transport) {
        return sip.externalProvider().getListeningPoint(transport.token()) != null;
    }

    private String notOffered(SipTransport transport) {
        return transport == SipTransport.TLS ? "TLS is off on this gateway (set sip.tls_port and sip.tls_keystore)"
                : "transport " + transport.token() + " is not offered by this gateway (sip.transports: "
                + String.join(", ", sip.config().transports()) + ")";
    }

    /**
     * The REGISTER to target {@code i}; a timeout, a transport error or a 503 moves the same
     * request (same CSeq, new branch: RFC 3263 §4.3) to the next target, and only the last
     * target's outcome reaches the engine.
     */
    private void attempt(RegistrationTarget t, OutgoingRegister r, Sink sink, List<SipTarget> list, int i,
                         Set<String> addresses) {
        SipTarget target = list.get(i);
        Runnable next = i + 1 < list.size() ? () -> attempt(t, r, sink, list, i + 1, addresses) : null;
        long share = answerTimeout.toNanos() / list.size();
        // A TCP/TLS connect never blocks (sip/transport); the gate reports a refused one here.
        gate.send(t.customerId(), target.transport().token(), target.host(), target.port(),
                () -> sendNow(t, r, sink, target, next, addresses, share), reason -> {
                    log.debug("trunk {}: REGISTER to {} not sent: {}", t.trunkId(), target, reason);
                    if (next != null) {
                        next.run();
                    } else {
                        sink.onFailure(reason, false);
                    }
                });
    }

    private void sendNow(RegistrationTarget t, OutgoingRegister r, Sink sink, SipTarget target, Runnable next,
                         Set<String> addresses, long shareNanos) throws Exception {
        if (!offers(target.transport())) {
            throw new ConnectGate.Refused(notOffered(target.transport()));
        }
        lastDestination.put(t.trunkId(), target);
        Request request = build(t, r, target);
        ClientTransaction tx = sip.clientTransaction(request, target, t.proxy().host());
        AtomicBoolean over = new AtomicBoolean();
        // Moves on to the next server while this transaction is still the trunk's latest.
        java.util.function.Predicate<String> failover = why -> {
            if (next == null || current.get(t.trunkId()) != tx || !over.compareAndSet(false, true)) {
                return false;
            }
            log.info("trunk {}: REGISTER to {} failed ({}); trying the next server", t.trunkId(), target, why);
            terminate(tx);
            next.run();
            return true;
        };
        // Silence from one server must leave the others time before the engine's own answer timeout.
        ScheduledFuture<?> giveUp = next == null ? null : timer.schedule(
                () -> failover.test("no answer in " + TimeUnit.NANOSECONDS.toMillis(shareNanos) + " ms"),
                shareNanos, TimeUnit.NANOSECONDS);
        tx.setApplicationData(new TransactionCallback() {
            @Override
            public void onResponse(ResponseEvent event) {
                Response resp = event.getResponse();
                if (resp.getStatusCode() < 200) {
                    return;
                }
                cancel(giveUp);
                if (resp.getStatusCode() == Response.SERVICE_UNAVAILABLE && failover.test("503")) {
                    return;
                }
                if (over.compareAndSet(false, true)) {
                    sink.onResponse(reduce(t, event, addresses));
                }
            }

            @Override
            public void onTimeout() {
                failed("no answer (transaction timeout)", true);
            }

            @Override
            public void onTransportError(String reason) {
                failed(reason, false);
            }

            private void failed(String reason, boolean timeout) {
                cancel(giveUp);
                if (!failover.test(reason) && over.compareAndSet(false, true)) {
                    sink.onFailure(reason, timeout);
                }
            }
        });
        ClientTransaction previous = current.put(t.trunkId(), tx);
        if (previous != null) {
            terminate(previous);
        }
        tx.sendRequest();
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    private Request build(RegistrationTarget t, OutgoingRegister r, SipTarget server) throws Exception {
        SipTransport chosen = server.transport();
        AddressFactory af = sip.addressFactory();
        HeaderFactory hf = sip.headerFactory();
        ProxyAddress proxy = t.proxy();
        String transport = chosen.token();
        String[] ids = dialogIds.computeIfAbsent(t.trunkId(),
                k -> new String[] {sip.externalProvider().getNewCallId().getCallId(), tokens.get()});

        SipURI requestUri = af.createSipURI(null, t.registrarDomain());
        Address aor = af.createAddress(af.createSipURI(t.username(), t.aorDomain()));
        // Our address of the server's family: the IPv6 one for an IPv6 server (its own listening point).
        String host = sip.advertisedAddress(false, server.address() instanceof java.net.Inet6Address);
        int port = sip.externalPort(transport);
        SipURI contactUri = af.createSipURI(t.contactUser(), host);
        contactUri.setPort(port);
        contactUri.setTransportParam(transport);
        ContactHeader contact = hf.createContactHeader(af.createAddress(contactUri));
        contact.setExpires(r.expires());

        CallIdHeader callId = hf.createCallIdHeader(ids[0]);
        List<javax.sip.header.ViaHeader> via = new ArrayList<>();
        via.add(hf.createViaHeader(host, port, transport, null));
        Request req = sip.messageFactory().createRequest(requestUri, Request.REGISTER, callId,
                hf.createCSeqHeader(r.cseq(), Request.REGISTER), hf.createFromHeader(aor, ids[1]),
                hf.createToHeader(aor, null), via, hf.createMaxForwardsHeader(70));
        req.addHeader(contact);
        req.addHeader(hf.createExpiresHeader(r.expires()));
        req.addHeader(hf.createUserAgentHeader(List.of("MiniVoice-Gateway")));
        if (needsRoute(t)) {
            SipURI route = af.createSipURI(null, proxy.host());
            if (proxy.port() != 0) {
                route.setPort(proxy.port());
            }
            route.setTransportParam(transport);
            route.setLrParam();
            req.addHeader(hf.createRouteHeader(af.createAddress(route)));
        } else if (chosen != SipTransport.UDP) {
            requestUri.setTransportParam(transport);
        }
        if (r.authorization() != null) {
            req.addHeader(hf.createHeader(r.proxyAuthorization() ? ProxyAuthorizationHeader.NAME : AuthorizationHeader.NAME,
                    r.authorization()));
        }
        return req;
    }

    @Override
    public boolean connectionOpen(RegistrationTarget target) {
        SipTarget last = lastDestination.get(target.trunkId());
        if (last == null || last.transport() == SipTransport.UDP) {
            return true;
        }
        String host = target.proxy().host();
        String tlsName = last.transport() == SipTransport.TLS
                && eu.minivoice.gateway.domain.IpRange.literalAddress(host) == null ? host : null;
        return sip.hasConnection(last.host(), last.port(), last.transport().token(), tlsName);
    }

    @Override
    public void abandon(RegistrationTarget target) {
        ClientTransaction tx = current.remove(target.trunkId());
        if (tx != null) {
            terminate(tx);
        }
    }

    private static void terminate(ClientTransaction tx) {
        try {
            tx.terminate();
        } catch (Exception e) {
            // already ended: nothing to stop
        }
    }

    /** The proxy is the next hop; a Route is only needed when the registrar domain is another host. */
    private static boolean needsRoute(RegistrationTarget t) {
        return !t.proxy().host().equalsIgnoreCase(t.registrarDomain()) || t.proxy().port() != 0;
    }

    private static RegistrarResponse reduce(RegistrationTarget t, ResponseEvent event, Set<String> proxyAddresses) {
        Response resp = event.getResponse();
        String source = event instanceof ResponseEventExt ext ? ext.getRemoteIpAddress() : null;
        List<DigestChallenge> challenges = new ArrayList<>();
        for (ListIterator<?> it = resp.getHeaders(WWWAuthenticateHeader.NAME); it.hasNext(); ) {
            challenge((WWWAuthenticateHeader) it.next(), false, challenges);
        }
        for (ListIterator<?> it = resp.getHeaders(ProxyAuthenticateHeader.NAME); it.hasNext(); ) {
            challenge((ProxyAuthenticateHeader) it.next(), true, challenges);
        }
        Integer contactExpires = null;
        boolean ours = false;
        for (ListIterator<?> it = resp.getHeaders(ContactHeader.NAME); it.hasNext(); ) {
            ContactHeader c = (ContactHeader) it.next();
            if (c.getAddress().getURI() instanceof SipURI u && t.contactUser().equals(u.getUser())) {
                ours = true;
                contactExpires = c.getExpires() >= 0 ? c.getExpires() : null;
            }
        }
        ExpiresHeader expires = (ExpiresHeader) resp.getHeader(ExpiresHeader.NAME);
        MinExpiresHeader min = (MinExpiresHeader) resp.getHeader(MinExpiresHeader.NAME);
        RetryAfterHeader retry = (RetryAfterHeader) resp.getHeader(RetryAfterHeader.NAME);
        return new RegistrarResponse(resp.getStatusCode(), resp.getReasonPhrase(), challenges, contactExpires, ours,
                expires == null ? null : expires.getExpires(), min == null ? null : min.getExpires(),
                retry == null ? null : retry.getRetryAfter(), source != null && proxyAddresses.contains(source),
                source == null ? "unknown" : source);
    }

    private static void challenge(WWWAuthenticateHeader h, boolean proxy, List<DigestChallenge> out) {
        DigestChallenge c = DigestChallenge.of(h, proxy);
        if (c != null) {
            out.add(c);
        }
    }
}
