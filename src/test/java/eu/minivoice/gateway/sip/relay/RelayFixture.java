package eu.minivoice.gateway.sip.relay;

import eu.minivoice.gateway.actions.Action;
import eu.minivoice.gateway.actions.ActionDecision;
import eu.minivoice.gateway.domain.AddressPolicy;
import eu.minivoice.gateway.domain.CallInfo;
import eu.minivoice.gateway.domain.CallRecord;
import eu.minivoice.gateway.domain.PhoneNumber;
import eu.minivoice.gateway.domain.Trunk;
import eu.minivoice.gateway.domain.TrunkDirection;
import eu.minivoice.gateway.domain.TrunkSpec;
import eu.minivoice.gateway.routing.CallLimiter;
import eu.minivoice.gateway.routing.InboundMatch;
import eu.minivoice.gateway.routing.OutboundRouter;

import javax.sip.message.Request;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A relay on a {@link FakeRelayContext}: customer cust_a with the number +15551230001 and two
 * outbound trunks (trunk_a at 203.0.113.10, then trunk_b at 203.0.113.20), an observer that keeps
 * every event and record, and requests as the platform or a carrier would send them.
 */
final class RelayFixture {
    static final Duration INVITE_TIMEOUT = Duration.ofSeconds(4);
    static final Duration MAX_CALL = Duration.ofHours(1);
    static final String TRUNK_A_IP = "203.0.113.10";
    static final String TRUNK_B_IP = "203.0.113.20";
    static final String SDP = "v=0\r\no=platform 1 1 IN IP4 10.0.0.9\r\ns=-\r\nc=IN IP4 10.0.0.9\r\nt=0 0\r\n"
            + "m=audio 4000 RTP/AVP 0\r\n";

    record Event(String type, CallInfo call, Map<String, Object> data) {
    }

    final FakeRelayContext ctx = new FakeRelayContext();
    final List<Event> events = new ArrayList<>();
    final List<CallRecord> records = new ArrayList<>();
    final Map<String, Set<String>> proxyIps = new HashMap<>();
    final CallLimiter limiter = new CallLimiter(ctx::nanoTime);
    final OutboundRouter router = new OutboundRouter(new OutboundRouter.TrunkState() {
        @Override
        public Optional<eu.minivoice.gateway.domain.RegistrationStatus> registration(String trunkId) {
            return Optional.empty();
        }

        @Override
        public Optional<eu.minivoice.gateway.domain.TrunkHealth> health(String trunkId) {
            return Optional.empty();
        }
    }, limiter, customer -> new OutboundRouter.CustomerLimits(null, null));
    /** The application's answer to call.initiated for inbound calls (completed at once unless set otherwise). */
    CompletableFuture<ActionDecision> nextDecision;
    final List<String> initiated = new ArrayList<>();
    private final AtomicInteger seq = new AtomicInteger();
    final CallRelay relay;
    final Trunk trunkA;
    final Trunk trunkB;

    RelayFixture() {
        this(null, null);
    }

    /** @param trunkALimit trunk_a's max_concurrent_calls; @param trunkBLimit trunk_b's */
    RelayFixture(Integer trunkALimit, Integer trunkBLimit) {
        this(TRUNK_A_IP, trunkALimit, trunkBLimit);
    }

    /** trunk_a's proxy as given ({@code ctx.located} says where a name leads). */
    RelayFixture(String trunkAProxy) {
        this(trunkAProxy, null, null);
    }

    private RelayFixture(String trunkAProxy, Integer trunkALimit, Integer trunkBLimit) {
        trunkA = trunk("trunk_a", trunkAProxy, 10, trunkALimit);
        trunkB = trunk("trunk_b", TRUNK_B_IP, 20, trunkBLimit);
        router.trunkChanged(null, trunkA);
        router.trunkChanged(null, trunkB);
        proxyIps.put("trunk_a", Set.of(TRUNK_A_IP));
        proxyIps.put("trunk_b", Set.of(TRUNK_B_IP));
        router.numberChanged(null, new PhoneNumber("num_1", "cust_a", "+15551230001", null, null, Instant.EPOCH,
                Instant.EPOCH));
        CallObserver observer = new CallObserver() {
            @Override
            public void callEvent(String type, CallInfo call, Map<String, Object> data) {
                events.add(new Event(type, call, data));
            }

            @Override
            public void recordChanged(CallRecord record) {
                records.add(record);
            }
        };
        relay = new CallRelay(ctx, router, observer,
                prefix -> prefix + "_" + String.format("%08d", seq.incrementAndGet()), () -> "tag" + seq.incrementAndGet(),
                INVITE_TIMEOUT, MAX_CALL, request -> {
                    initiated.add(request.call().id());
                    return nextDecision;
                }, id -> proxyIps.getOrDefault(id, Set.of()), AddressPolicy.allowing(List.of("203.0.113.0/24")));
    }

    private Trunk trunk(String id, String ip, int priority, Integer maxCalls) {
        TrunkSpec spec = new TrunkSpec("name-" + id, ip, "user-" + id, "secret-" + id, null, null, null, true,
                "gw-" + id, TrunkDirection.BOTH, priority, false, 3600, 0, "app_1", maxCalls, null, null);
        return new Trunk(id, "cust_a", spec, Instant.EPOCH, Instant.EPOCH);
    }

    /** The application will answer call.initiated with these actions. */
    void actions(Action... actions) {
        nextDecision = CompletableFuture.completedFuture(new ActionDecision(List.of(actions), "evt_1", 200, 1, null, null));
    }

    // ------------------------------------------------------------------ requests

    /** A platform INVITE (outbound call) from cust_a: +15551230001 → +15551230003. */
    FakeRelayContext.FakeServerWire platformInvite(String... extraHeaders) throws Exception {
        return invite(true, "platform-1", "+15551230001", "+15551230003", "X-MiniVoice-Customer-Id: cust_a", extraHeaders);
    }

    /** A carrier INVITE (inbound call) on trunk_a: +15559990001 → +15551230001. */
    FakeRelayContext.FakeServerWire carrierInvite() throws Exception {
        Request invite = inviteRequest(false, "carrier-1", "+15559990001", "+15551230001", null);
        FakeRelayContext.FakeServerWire tx = new FakeRelayContext.FakeServerWire(ctx, invite);
        relay.onInboundInvite(new RelayContext.Incoming(invite, false, tx),
                new InboundMatch.Routed(trunkA, "+15551230001", null, "app_1", "trunk", List.of(trunkA)));
        lastCallerInvite = invite;
        return tx;
    }

    Request lastCallerInvite;

    FakeRelayContext.FakeServerWire invite(boolean internal, String callId, String from, String to,
                                                   String customerHeader, String... extra) throws Exception {
        Request invite = inviteRequest(internal, callId, from, to, customerHeader, extra);
        FakeRelayContext.FakeServerWire tx = new FakeRelayContext.FakeServerWire(ctx, invite);
        relay.onPlatformInvite(new RelayContext.Incoming(invite, internal, tx));
        lastCallerInvite = invite;
        return tx;
    }

    Request inviteRequest(boolean internal, String callId, String from, String to, String customerHeader,
                          String... extra) throws Exception {
        String peer = internal ? "10.0.0.9" : "198.51.100.7";
        StringBuilder sb = new StringBuilder()
                .append("INVITE sip:").append(to).append('@').append(internal ? "10.0.0.1:5080" : "192.0.2.1:5060")
                .append(" SIP/2.0\r\n")
                .append("Via: SIP/2.0/UDP ").append(peer).append(":5070;branch=z9hG4bK-").append(callId).append("\r\n")
                .append("From: <sip:").append(from).append('@').append(peer).append(">;tag=caller-tag\r\n")
                .append("To: <sip:").append(to).append("@10.0.0.1>\r\n")
                .append("Call-ID: ").append(callId).append("\r\n")
                .append("CSeq: 1 INVITE\r\n")
                .append("Max-Forwards: 70\r\n")
                .append("Contact: <sip:caller@").append(peer).append(":5070>\r\n");
        if (customerHeader != null) {
            sb.append(customerHeader).append("\r\n");
        }
        for (String h : extra) {
            sb.append(h).append("\r\n");
        }
        sb.append("Content-Type: application/sdp\r\n")
                .append("Content-Length: ").append(SDP.length()).append("\r\n\r\n").append(SDP);
        return ctx.messages().createRequest(sb.toString());
    }

    /** An in-dialog request (or CANCEL) from the caller, on its INVITE's dialog. */
    FakeRelayContext.FakeServerWire fromCaller(String method, long cseq) throws Exception {
        Request r = (Request) lastCallerInvite.clone();
        r.setMethod(method);
        javax.sip.header.CSeqHeader c = (javax.sip.header.CSeqHeader) r.getHeader("CSeq");
        c.setMethod(method);
        c.setSeqNumber(cseq);
        if (!method.equals(Request.INVITE)) {
            r.removeContent();
        }
        return deliver(r, lastCallerInvite.getHeader("X-MiniVoice-Customer-Id") != null);
    }

    /** An in-dialog request from the callee of the latest INVITE the relay sent. */
    FakeRelayContext.FakeServerWire fromCallee(String method) throws Exception {
        FakeRelayContext.SentInvite sent = ctx.lastInvite();
        Request r = (Request) sent.request.clone();
        r.setMethod(method);
        javax.sip.header.CSeqHeader c = (javax.sip.header.CSeqHeader) r.getHeader("CSeq");
        c.setMethod(method);
        c.setSeqNumber(1);
        r.removeContent();
        return deliver(r, sent.internal);
    }

    private FakeRelayContext.FakeServerWire deliver(Request r, boolean internal) throws Exception {
        FakeRelayContext.FakeServerWire tx = new FakeRelayContext.FakeServerWire(ctx, r);
        if (!relay.onRequest(new RelayContext.Incoming(r, internal, tx))) {
            throw new AssertionError(r.getMethod() + " was not taken as part of a call");
        }
        return tx;
    }

    // ------------------------------------------------------------------ what happened

    /** A header's value as sent, or null. */
    static String header(javax.sip.message.Message m, String name) {
        return m.getHeader(name) == null ? null : m.getHeader(name).toString().substring(name.length() + 1).trim();
    }

    List<String> eventTypes() {
        return events.stream().map(Event::type).toList();
    }

    Event event(String type) {
        return events.stream().filter(e -> e.type().equals(type)).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no " + type + " in " + eventTypes()));
    }

    CallRecord lastRecord() {
        return records.get(records.size() - 1);
    }

    /** The trunk's concurrent-call slots all given back: one more call fits under a limit of 1. */
    boolean trunkFree(Trunk trunk) {
        boolean free = router.tryTrunk(trunk);
        if (free) {
            router.trunkReleased(trunk.id());
        }
        return free;
    }
}
