package eu.minivoice.gateway.sip.relay;

import eu.minivoice.gateway.domain.ProxyAddress;
import eu.minivoice.gateway.domain.SipTarget;
import eu.minivoice.gateway.domain.SipTransport;
import eu.minivoice.gateway.domain.Trunk;
import eu.minivoice.gateway.sip.DigestAnswer;
import eu.minivoice.gateway.sip.DigestChallenge;

import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.header.AuthorizationHeader;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.MaxForwardsHeader;
import javax.sip.header.ProxyAuthenticateHeader;
import javax.sip.header.ProxyAuthorizationHeader;
import javax.sip.header.ViaHeader;
import javax.sip.header.WWWAuthenticateHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The requests the relay sends on a callee leg: the INVITE to a trunk's proxy, the INVITE to a
 * platform forward target, and a challenged INVITE again with the trunk's credentials. What is
 * copied from the caller's INVITE is decided here, and only here: the SDP body, the numbers, never
 * the caller's addressing or headers.
 */
final class LegRequests {
    private final RelayContext ctx;
    private final Supplier<String> tokens;
    /** Parsed trunk proxies by their text; as many entries as distinct proxies ever relayed to. */
    private final Map<String, ProxyAddress> proxies = new ConcurrentHashMap<>();

    LegRequests(RelayContext ctx, Supplier<String> tokens) {
        this.ctx = ctx;
        this.tokens = tokens;
    }

    /**
     * The platform leg of an inbound call: to the forward target, From the original caller, the
     * SDP unchanged, and the call's identity in X-MiniVoice headers (docs/inbound.md). Nothing of
     * the carrier's addressing is copied.
     */
    Request forwardInvite(RelayCall call, String target) throws Exception {
        Request req = platformInvite(target, call.from, call.id, call.customerId, maxForwards(call));
        HeaderFactory hf = ctx.headers();
        req.addHeader(hf.createHeader(CallRelay.TRUNK_ID_HEADER, call.inboundTrunk.id()));
        req.addHeader(hf.createHeader(CallRelay.DIALLED_HEADER, call.to));
        copyBody(call.caller.invite, req);
        return req;
    }

    /**
     * The platform leg of a call placed through the API (docs/calls.md): to {@code connect_to},
     * From the called party (who the platform will be talking to), made before the call starts so
     * its Call-ID is the call's platform id; the carrier's offer and the trunk are added when the
     * carrier answers ({@link ConnectLeg}).
     */
    Request connectInvite(String callId, String customerId, String calledParty, String connectTo) throws Exception {
        return platformInvite(connectTo, calledParty, callId, customerId, 70);
    }

    /** A new INVITE to a platform URI, From {@code fromUser} at our internal address, with the call's identity. */
    private Request platformInvite(String target, String fromUser, String callId, String customerId, int maxForwards)
            throws Exception {
        AddressFactory af = ctx.addresses();
        HeaderFactory hf = ctx.headers();
        javax.sip.address.URI ruri = af.createURI(target);
        String transport = ruri instanceof SipURI su && su.getTransportParam() != null ? su.getTransportParam() : "udp";
        RelayContext.Local local = ctx.local(true, transport, ruri instanceof SipURI su && RelayContext.ipv6(su.getHost()));
        SipURI fromUri = af.createSipURI(fromUser, local.host());
        Request req = newInvite(ruri, af.createAddress(fromUri), af.createAddress(ruri), local, transport,
                ctx.newCallId(true), maxForwards);
        req.addHeader(hf.createHeader(CallRelay.CALL_ID_HEADER, callId));
        req.addHeader(hf.createHeader(CallRelay.CUSTOMER_HEADER, customerId));
        return req;
    }

    /**
     * A fresh INVITE through the trunk's proxy (docs/relay.md, "The carrier leg") over {@code chosen},
     * the transport of the server it goes to (the proxy's own, or one DNS chose: RFC 3263).
     */
    Request trunkInvite(RelayCall call, Trunk trunk, SipTarget server) throws Exception {
        SipTransport chosen = server.transport();
        AddressFactory af = ctx.addresses();
        HeaderFactory hf = ctx.headers();
        ProxyAddress proxy = proxyOf(trunk);
        String transport = chosen.token();
        String domain = trunk.spec().realm() != null ? trunk.spec().realm() : proxy.host();
        SipURI ruri = af.createSipURI(e164User(call), domain);
        boolean route = !domain.equalsIgnoreCase(proxy.host());
        if (!route && proxy.port() != 0) {
            ruri.setPort(proxy.port());
        }
        if (!route && chosen != SipTransport.UDP) {
            ruri.setTransportParam(transport);
        }
        SipURI fromUri = af.createSipURI(callerUser(call),
                trunk.spec().fromDomain() != null ? trunk.spec().fromDomain() : domain);
        SipURI toUri = af.createSipURI(e164User(call), domain);
        Request req = newInvite(ruri, af.createAddress(fromUri), af.createAddress(toUri),
                ctx.local(false, transport, server.address() instanceof java.net.Inet6Address), transport,
                ctx.newCallId(false), maxForwards(call));
        if (route) {
            SipURI r = af.createSipURI(null, proxy.host());
            if (proxy.port() != 0) {
                r.setPort(proxy.port());
            }
            r.setTransportParam(transport);
            r.setLrParam();
            req.addHeader(hf.createRouteHeader(af.createAddress(r)));
        }
        copyBody(call.caller.invite, req);
        return req;
    }

    /** The trunk's parsed proxy, cached by its text (parsing validates; not per call). */
    ProxyAddress proxyOf(Trunk trunk) {
        return proxies.computeIfAbsent(trunk.spec().proxy(), ProxyAddress::parse);
    }

    /** The leg's INVITE again with its trunk's credentials for this challenge; null when none fits. */
    Request withCredentials(Leg leg, Response challenge) throws Exception {
        boolean proxy = challenge.getStatusCode() == 407;
        List<DigestChallenge> offered = new ArrayList<>();
        String name = proxy ? ProxyAuthenticateHeader.NAME : WWWAuthenticateHeader.NAME;
        for (ListIterator<?> it = challenge.getHeaders(name); it.hasNext(); ) {
            DigestChallenge c = DigestChallenge.of((WWWAuthenticateHeader) it.next(), proxy);
            if (c != null) {
                offered.add(c);
            }
        }
        DigestChallenge best = DigestChallenge.strongest(offered);
        if (best == null) {
            return null;
        }
        Request again = (Request) leg.invite.clone();
        CSeqHeader cseq = (CSeqHeader) again.getHeader(CSeqHeader.NAME);
        cseq.setSeqNumber(cseq.getSeqNumber() + 1);
        again.removeHeader(ViaHeader.NAME);
        ViaHeader via = (ViaHeader) leg.invite.getHeader(ViaHeader.NAME);
        again.addHeader(ctx.headers().createViaHeader(via.getHost(), via.getPort(), via.getTransport(), null));
        DigestAnswer answer = DigestAnswer.compute(best, leg.trunk.spec().username(), leg.trunk.spec().password(),
                Request.INVITE, again.getRequestURI().toString(), again.getRawContent(), tokens.get(), 1);
        again.addHeader(ctx.headers().createHeader(proxy ? ProxyAuthorizationHeader.NAME : AuthorizationHeader.NAME,
                answer.headerValue()));
        return again;
    }

    /**
     * A new INVITE from us on this side: our Via and Contact, CSeq 1, a fresh From tag, and
     * Supported: 100rel (reliable provisionals are PRACKed by the relay on every leg we call).
     */
    private Request newInvite(javax.sip.address.URI ruri, javax.sip.address.Address from,
                              javax.sip.address.Address to, RelayContext.Local local, String transport,
                              CallIdHeader callId, int mf) throws Exception {
        AddressFactory af = ctx.addresses();
        HeaderFactory hf = ctx.headers();
        List<ViaHeader> via = new ArrayList<>();
        via.add(hf.createViaHeader(local.host(), local.port(), transport, null));
        Request req = ctx.messages().createRequest(ruri, Request.INVITE, callId,
                hf.createCSeqHeader(1L, Request.INVITE), hf.createFromHeader(from, tokens.get()),
                hf.createToHeader(to, null), via, hf.createMaxForwardsHeader(mf));
        SipURI contact = af.createSipURI("mv", local.host());
        contact.setPort(local.port());
        contact.setTransportParam(transport);
        req.addHeader(hf.createContactHeader(af.createAddress(contact)));
        req.addHeader(hf.createUserAgentHeader(List.of("MiniVoice-Gateway")));
        req.addHeader(hf.createSupportedHeader("100rel"));
        return req;
    }

    /** The caller's Max-Forwards decremented (70 at most). */
    private static int maxForwards(RelayCall call) {
        MaxForwardsHeader inMf = (MaxForwardsHeader) call.caller.invite.getHeader(MaxForwardsHeader.NAME);
        return inMf == null ? 70 : Math.min(70, inMf.getMaxForwards() - 1);
    }

    /** The body and its Content-Type, when there is one. */
    static void copyBody(javax.sip.message.Message from, javax.sip.message.Message to) throws Exception {
        byte[] body = from.getRawContent();
        ContentTypeHeader type = (ContentTypeHeader) from.getHeader(ContentTypeHeader.NAME);
        if (body != null && body.length > 0 && type != null) {
            to.setContent(body, (ContentTypeHeader) type.clone());
        }
    }

    /** The carrier leg's destination: the platform's Request-URI user, or an inbound call's dial target. */
    private static String e164User(RelayCall call) {
        String to = call.dialTo != null ? call.dialTo : call.to;
        return eu.minivoice.gateway.domain.E164.normalise(to).orElse(to);
    }

    private static String callerUser(RelayCall call) {
        String from = call.dialFrom != null ? call.dialFrom : call.from;
        return eu.minivoice.gateway.domain.E164.normalise(from).orElse(from);
    }
}
