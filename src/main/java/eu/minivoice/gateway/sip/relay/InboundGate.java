package eu.minivoice.gateway.sip.relay;

import eu.minivoice.gateway.domain.CallInfo;
import eu.minivoice.gateway.domain.CallRecord;
import eu.minivoice.gateway.domain.IdGenerator;
import eu.minivoice.gateway.routing.InboundMatch;
import eu.minivoice.gateway.routing.InboundMatcher;
import eu.minivoice.gateway.sip.SipServer;
import gov.nist.javax.sip.RequestEventExt;
import eu.minivoice.gateway.sip.logging.LogThrottle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sip.RequestEvent;
import javax.sip.SipProvider;
import javax.sip.address.URI;
import javax.sip.header.CallIdHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The first step of an inbound call (docs/product.md §5): a new INVITE on the external side is matched to
 * a trunk and a route by {@link InboundMatcher}, in memory.
 *
 * <p>Unknown sources (scanners, toll fraud) get a stateless 403: no transaction, no call record,
 * no event, no webhook — only a counter and at most one log line per {@link #LOG_EVERY_NANOS}, so
 * a flood costs one parse and one datagram each and cannot fill memory or logs. A matched trunk
 * with no route (404) or a bad number (484) is a call of that customer: it gets a call record and a {@code call.failed} event (nothing lost), and a stateless
 * answer. Carriers never see X-MiniVoice headers.
 */
public final class InboundGate implements eu.minivoice.gateway.sip.CarrierInviteHandler {
    private static final Logger log = LoggerFactory.getLogger(InboundGate.class);
    static final long LOG_EVERY_NANOS = 10_000_000_000L;

    /** Where a routed call goes next (the action fetch and the B2BUA). */
    public interface RoutedCalls {
        void onRouted(RequestEvent event, InboundMatch.Routed routed) throws Exception;
    }

    private final SipServer sip;
    private final InboundMatcher matcher;
    private final CallObserver observer;
    private final IdGenerator ids;
    private final Supplier<String> tokens;
    private final Clock clock;
    private final RoutedCalls routedCalls;
    private final AtomicLong unknownSources = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final LogThrottle unmatchedLog = new LogThrottle(LOG_EVERY_NANOS);
    private final eu.minivoice.gateway.sip.SipCounters counters;

    public InboundGate(SipServer sip, InboundMatcher matcher, CallObserver observer, IdGenerator ids,
                       Supplier<String> tokens, Clock clock, RoutedCalls routedCalls) {
        this(sip, matcher, observer, ids, tokens, clock, routedCalls, eu.minivoice.gateway.sip.SipCounters.NONE);
    }

    /** @param counters refusals by reason, for the metrics */
    public InboundGate(SipServer sip, InboundMatcher matcher, CallObserver observer, IdGenerator ids,
                       Supplier<String> tokens, Clock clock, RoutedCalls routedCalls,
                       eu.minivoice.gateway.sip.SipCounters counters) {
        this.counters = counters;
        this.sip = sip;
        this.matcher = matcher;
        this.observer = observer;
        this.ids = ids;
        this.tokens = tokens;
        this.clock = clock;
        this.routedCalls = routedCalls;
    }

    /** Carrier INVITEs refused because no trunk matched the source. */
    public long unknownSources() {
        return unknownSources.get();
    }

    /** Matched calls refused before any action (404 / 484). */
    public long refusedCalls() {
        return refused.get();
    }

    @Override
    public void onCarrierInvite(RequestEvent event) throws Exception {
        Request invite = event.getRequest();
        InetAddress source = InetAddress.getByName(((RequestEventExt) event).getRemoteIpAddress()); // numeric: no DNS
        String ruriUser = user(invite.getRequestURI());
        String toUser = user(((ToHeader) invite.getHeader(ToHeader.NAME)).getAddress().getURI());
        InboundMatch m = matcher.match(source, ruriUser, toUser);
        if (m instanceof InboundMatch.Routed routed) {
            routedCalls.onRouted(event, routed);
            return;
        }
        InboundMatch.Refused r = (InboundMatch.Refused) m;
        if (r.trunk() == null) {
            // Unknown source: nobody's call.
            unknownSources.incrementAndGet();
            counters.inboundRefused(r.code());
            long more = unmatchedLog.occurred();
            if (more >= 0) {
                log.warn("inbound INVITE from {} refused 403 ({}); {} more refusal(s) of unmatched sources since the"
                        + " last such line, {} in all", source.getHostAddress(), r.reason(), more, unknownSources.get());
            }
            answerStatelessly(event, r.sipStatus());
            return;
        }
        refused.incrementAndGet();
        counters.inboundRefused(r.code());
        String callId = ids.newOrderedId("call");
        String from = user(((FromHeader) invite.getHeader(FromHeader.NAME)).getAddress().getURI());
        String to = eu.minivoice.gateway.domain.E164.normalise(toUser).orElse(toUser);
        Instant now = clock.instant();
        String carrierCallId = ((CallIdHeader) invite.getHeader(CallIdHeader.NAME)).getCallId();
        CallInfo info = new CallInfo(callId, r.trunk().customerId(), r.trunk().spec().applicationId(), r.trunk().id(),
                "failed", "inbound", from, to);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("reason", "rejected");
        data.put("sip_code", r.sipStatus());
        data.put("error", Map.of("code", r.code(), "message", r.reason()));
        observer.callEvent("call.failed", info, data);
        observer.recordChanged(new CallRecord(callId, r.trunk().customerId(), "inbound", "failed", from, to,
                r.trunk().id(), r.trunk().spec().applicationId(), null, carrierCallId, r.sipStatus(), null, "rejected",
                r.code(), List.of(), now, null, now));
        log.info("call {}: inbound on trunk {} refused {} {} ({})", callId, r.trunk().id(), r.sipStatus(), r.code(),
                r.reason());
        answerStatelessly(event, r.sipStatus());
    }

    /** No transaction: nothing is held for a refused INVITE (a retransmission is answered again). */
    private void answerStatelessly(RequestEvent event, int status) throws Exception {
        Response resp = sip.messageFactory().createResponse(status, event.getRequest());
        ToHeader to = (ToHeader) resp.getHeader(ToHeader.NAME);
        if (to.getTag() == null) {
            to.setTag(tokens.get());
        }
        ((SipProvider) event.getSource()).sendResponse(resp);
    }

    private static String user(URI uri) {
        return SipText.user(uri);
    }
}
