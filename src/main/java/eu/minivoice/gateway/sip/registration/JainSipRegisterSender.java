package eu.minivoice.gateway.sip.registration;

import eu.minivoice.gateway.domain.ProxyAddress;
import eu.minivoice.gateway.domain.SipTransport;
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

import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Builds REGISTER requests (docs/product.md §3) and sends them through the carrier-facing provider as
 * client transactions; reduces each final answer to a {@link RegistrarResponse}.
 */
public final class JainSipRegisterSender implements RegisterSender {
    private static final Logger log = LoggerFactory.getLogger(JainSipRegisterSender.class);

    private final SipServer sip;
    /** One Call-ID and From tag per trunk for the life of the process (RFC 3261 §10.2.4). */
    private final Map<String, String[]> dialogIds = new ConcurrentHashMap<>();
    private final java.util.function.Supplier<String> tokens;
    /** Where the trunk's last REGISTER went (resolved IP), for the TCP connection watch. */
    private final Map<String, String> lastDestination = new ConcurrentHashMap<>();
    /** The trunk's latest REGISTER transaction: a new attempt ends the old one's retransmissions. */
    private final Map<String, ClientTransaction> current = new ConcurrentHashMap<>();

    /** A proxy whose name now resolves to a private address is not registered to (docs/security.md). */
    private final AddressPolicy targets;

    /** Sends that may wait on the carrier (a new TCP/TLS connection) run off the registration thread. */
    private final ConnectGate gate;

    public JainSipRegisterSender(SipServer sip, java.util.function.Supplier<String> tokens, AddressPolicy targets,
                                 ConnectGate gate) {
        this.gate = gate;
        this.targets = targets;
        this.sip = sip;
        this.tokens = tokens;
    }

    @Override
    public void send(RegistrationTarget t, OutgoingRegister r, Sink sink) {
        if (sip.externalProvider().getListeningPoint(t.proxy().transport().token()) == null) {
            sink.onFailure(t.proxy().transport() == eu.minivoice.gateway.domain.SipTransport.TLS
                    ? "TLS is off on this gateway (set sip.tls_port and sip.tls_keystore)"
                    : "transport " + t.proxy().transport().token() + " is not offered by this gateway (sip.transports: "
                    + String.join(", ", sip.config().transports()) + ")", false);
            return;
        }
        // Resolving a name and opening a TCP/TLS connection wait on the carrier: the gate runs
        // them off the registration thread (docs/security.md, rule 4).
        gate.send(t.customerId(), t.proxy().transport().token(), t.proxy().host(), t.proxy().effectivePort(),
                () -> sendNow(t, r, sink), reason -> {
                    log.debug("trunk {}: REGISTER not sent: {}", t.trunkId(), reason);
                    sink.onFailure(reason, false);
                });
    }

    private void sendNow(RegistrationTarget t, OutgoingRegister r, Sink sink) throws Exception {
        Set<String> proxyAddresses;
        try {
            // The digest-leak guard compares answers against these addresses.
            proxyAddresses = t.proxy().resolveNumeric();
        } catch (UnknownHostException e) {
            throw new ConnectGate.Refused("cannot resolve proxy " + t.proxy().host());
        }
        String refused = targets.refusalOfAny(proxyAddresses);
        if (refused != null) {
            throw new ConnectGate.Refused("proxy " + t.proxy().host() + " resolves to "
                    + refused.replaceFirst("^\\S+ is ", "") + AddressPolicy.HINT);
        }
        lastDestination.put(t.trunkId(), proxyAddresses.iterator().next());
        Request request = build(t, r);
        ClientTransaction tx = sip.externalProvider().getNewClientTransaction(request);
        tx.setApplicationData(new TransactionCallback() {
            @Override
            public void onResponse(ResponseEvent event) {
                Response resp = event.getResponse();
                if (resp.getStatusCode() >= 200) {
                    sink.onResponse(reduce(t, event, proxyAddresses));
                }
            }

            @Override
            public void onTimeout() {
                sink.onFailure("no answer (transaction timeout)", true);
            }

            @Override
            public void onTransportError(String reason) {
                sink.onFailure(reason, false);
            }
        });
        ClientTransaction previous = current.put(t.trunkId(), tx);
        if (previous != null) {
            terminate(previous);
        }
        tx.sendRequest();
    }

    private Request build(RegistrationTarget t, OutgoingRegister r) throws Exception {
        AddressFactory af = sip.addressFactory();
        HeaderFactory hf = sip.headerFactory();
        ProxyAddress proxy = t.proxy();
        String transport = proxy.transport().token();
        String[] ids = dialogIds.computeIfAbsent(t.trunkId(),
                k -> new String[] {sip.externalProvider().getNewCallId().getCallId(), tokens.get()});

        SipURI requestUri = af.createSipURI(null, t.registrarDomain());
        Address aor = af.createAddress(af.createSipURI(t.username(), t.aorDomain()));
        String host = sip.config().advertisedAddress();
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
        } else if (proxy.transport() != SipTransport.UDP) {
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
        String ip = lastDestination.get(target.trunkId());
        if (target.proxy().transport() == SipTransport.UDP || ip == null) {
            return true;
        }
        return sip.hasConnection(ip, target.proxy().effectivePort(), target.proxy().transport().token());
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
