package eu.minivoice.gateway.sip.relay;

import eu.minivoice.gateway.domain.CallControl;
import eu.minivoice.gateway.domain.CallRecord;
import eu.minivoice.gateway.domain.ErrorCode;
import org.junit.jupiter.api.Test;

import javax.sip.message.Request;
import javax.sip.message.Response;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static eu.minivoice.gateway.sip.relay.RelayFixture.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Calls placed through the API (RFC 3725 flow I) on a fake stack: the carrier leg without an
 * offer, the platform leg with the carrier's offer, the platform's answer in the carrier's ACK,
 * and every way such a call ends. The SIPp scenario test proves the same flows on the wire.
 */
class ThirdPartyCallsTest {
    private static final String TARGET = "sip:agent@10.0.0.9:5090";
    private static final String CARRIER_SDP = "v=0\r\no=carrier 7 7 IN IP4 203.0.113.10\r\ns=-\r\n"
            + "c=IN IP4 203.0.113.10\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0 8\r\nm=video 30002 RTP/AVP 96\r\n";
    private static final String PLATFORM_SDP = "v=0\r\no=platform 9 9 IN IP4 10.0.0.9\r\ns=-\r\nc=IN IP4 10.0.0.9\r\n"
            + "t=0 0\r\nm=audio 4000 RTP/AVP 0\r\nm=video 0 RTP/AVP 96\r\n";

    private final RelayFixture f = new RelayFixture();
    private final FakeRelayContext ctx = f.ctx;

    private CallControl.Placement place(String from) {
        return f.relay.place(new CallControl.Origination("cust_a", "+15551230003", from, TARGET, null));
    }

    private CallRecord placed() {
        CallControl.Placement p = place("+15551230001");
        return assertInstanceOf(CallControl.Placed.class, p).call();
    }

    private FakeRelayContext.ThrowingConsumer<Response> sdp(String body) {
        return r -> r.setContent(body, ctx.headers().createContentTypeHeader("application", "sdp"));
    }

    /** The carrier answers with its offer; the platform INVITE goes out (after the answer is taken). */
    private FakeRelayContext.SentInvite carrierAnswers(FakeRelayContext.SentInvite carrier) {
        int sent = ctx.invites.size();
        carrier.answer(180);
        carrier.answer(200, RelayFixture.TRUNK_A_IP, sdp(CARRIER_SDP));
        assertEquals(sent, ctx.invites.size(), "the platform is called once the relay has taken the answer");
        ctx.elapse(Duration.ZERO);
        assertEquals(sent + 1, ctx.invites.size());
        return ctx.lastInvite();
    }

    @Test
    void theCarrierIsCalledWithoutAnOfferAndThePlatformGetsItsOffer() throws Exception {
        CallRecord call = placed();
        assertEquals("initiated", call.status());
        assertEquals("outbound", call.direction());
        assertEquals("+15551230001", call.from());
        assertEquals("+15551230003", call.to());
        assertEquals(List.of("call.initiated"), f.eventTypes());
        assertEquals(TARGET, f.event("call.initiated").data().get("connect_to"));

        FakeRelayContext.SentInvite carrier = ctx.lastInvite();
        assertFalse(carrier.internal);
        assertEquals(RelayFixture.TRUNK_A_IP, carrier.host());
        assertNull(carrier.request.getRawContent(), "late offer: the carrier makes the offer in its 2xx");
        assertTrue(header(carrier.request, "From").contains("+15551230001"));
        assertNull(carrier.request.getHeader(CallRelay.CALL_ID_HEADER), "nothing of ours leaks to the carrier");

        FakeRelayContext.SentInvite platform = carrierAnswers(carrier);
        assertEquals(List.of("call.initiated", "call.ringing", "call.answered"), f.eventTypes());
        assertTrue(platform.internal);
        assertEquals(TARGET, platform.request.getRequestURI().toString());
        assertEquals(CARRIER_SDP, new String(platform.request.getRawContent()));
        assertEquals(call.id(), header(platform.request, CallRelay.CALL_ID_HEADER));
        assertEquals("cust_a", header(platform.request, CallRelay.CUSTOMER_HEADER));
        assertEquals("trunk_a", header(platform.request, CallRelay.TRUNK_ID_HEADER));
        assertTrue(header(platform.request, "From").contains("+15551230003"), "the platform talks to the called party");
        assertEquals(call.platformCallId(), platform.callId());
        assertTrue(carrier.dialog.acks.isEmpty(), "the carrier's 2xx waits for the platform's answer");

        platform.answer(180);
        platform.answer(200, "10.0.0.9", sdp(PLATFORM_SDP));
        assertEquals(List.of(1L), platform.dialog.acks, "the platform's 2xx is ACKed at once");
        assertEquals(List.of(""), platform.dialog.ackBodies);
        assertEquals(List.of(1L), carrier.dialog.acks);
        assertEquals(List.of(PLATFORM_SDP), carrier.dialog.ackBodies, "the platform's answer goes in the carrier's ACK");
        CallRecord bridged = f.lastRecord();
        assertEquals("answered", bridged.status());
        assertEquals(2, bridged.attempts().size());
        assertEquals(TARGET, bridged.attempts().get(1).get("target"));
        assertEquals(bridged, f.relay.inProgress("cust_a", call.id()).orElseThrow());

        // Bridged: in-dialog requests cross, the platform hangs up.
        FakeRelayContext.FakeServerWire bye = f.fromCallee(Request.BYE);
        assertEquals(List.of(200), bye.codes());
        assertEquals(List.of(Request.BYE), carrier.dialog.methods());
        RelayFixture.Event completed = f.event("call.completed");
        assertEquals("platform", completed.data().get("hangup_side"));
        assertEquals("completed", f.lastRecord().status());
        assertEquals(0, f.relay.activeCalls());
        assertEquals(0, ctx.pendingTimers());
        assertTrue(f.trunkFree(f.trunkA));
        assertTrue(f.relay.inProgress("cust_a", call.id()).isEmpty());
    }

    @Test
    void aReInviteFromTheCarrierReachesThePlatformOnceBridged() throws Exception {
        placed();
        FakeRelayContext.SentInvite carrier = ctx.lastInvite();
        FakeRelayContext.SentInvite platform = carrierAnswers(carrier);
        platform.answer(200, "10.0.0.9", sdp(PLATFORM_SDP));
        fromCarrier(carrier, Request.INVITE);
        assertEquals(List.of(Request.INVITE), platform.dialog.methods());
    }

    @Test
    void theCarrierBusyFailsTheCallAndThePlatformIsNeverCalled() {
        placed();
        ctx.lastInvite().answer(486);
        assertEquals(1, ctx.invites.size());
        RelayFixture.Event failed = f.event("call.failed");
        assertEquals("busy", failed.data().get("reason"));
        assertEquals("busy", f.lastRecord().status());
        assertEquals(0, f.relay.activeCalls());
        assertEquals(0, ctx.pendingTimers());
    }

    @Test
    void aPlatformThatRefusesEndsTheCarrierLegWithADecliningAnswer() throws Exception {
        placed();
        FakeRelayContext.SentInvite carrier = ctx.lastInvite();
        FakeRelayContext.SentInvite platform = carrierAnswers(carrier);
        platform.answer(486);
        assertEquals(List.of(1L), carrier.dialog.acks);
        String declined = carrier.dialog.ackBodies.get(0);
        assertTrue(declined.contains("m=audio 0 "), declined);
        assertTrue(declined.contains("m=video 0 "), "every stream of the offer is declined: " + declined);
        assertFalse(declined.contains("o=carrier"), "the answer has its own origin");
        assertEquals(List.of(Request.BYE), carrier.dialog.methods());
        RelayFixture.Event failed = f.event("call.failed");
        assertEquals(486, failed.data().get("sip_code"));
        assertEquals(ErrorCode.CONNECT_FAILED.code(), ((Map<?, ?>) failed.data().get("error")).get("code"));
        CallRecord record = f.lastRecord();
        assertEquals("failed", record.status());
        assertEquals("connect_failed", record.errorCode());
        assertEquals("gateway", record.hangupSide());
        assertEquals(486, record.attempts().get(1).get("sip_code"));
        assertEquals(0, f.relay.activeCalls());
        assertEquals(0, ctx.pendingTimers());
        assertTrue(f.trunkFree(f.trunkA));
    }

    @Test
    void aSilentPlatformFailsTheCallAfterTheInviteTimeout() {
        placed();
        FakeRelayContext.SentInvite carrier = ctx.lastInvite();
        FakeRelayContext.SentInvite platform = carrierAnswers(carrier);
        ctx.elapse(RelayFixture.INVITE_TIMEOUT);
        assertTrue(platform.abandoned);
        assertEquals(List.of(Request.BYE), carrier.dialog.methods());
        assertEquals(408, f.event("call.failed").data().get("sip_code"));
        assertEquals(0, ctx.pendingTimers());
    }

    @Test
    void aPlatformThatRingsTooLongIsCanceledWellBeforeTheCarrierGivesUpOnItsAck() {
        placed();
        FakeRelayContext.SentInvite carrier = ctx.lastInvite();
        FakeRelayContext.SentInvite platform = carrierAnswers(carrier);
        platform.answer(180);
        ctx.elapse(ConnectLeg.ANSWER_WITHIN.minusMillis(1));
        assertFalse(platform.canceled);
        ctx.elapse(Duration.ofMillis(1));
        assertTrue(platform.canceled);
        assertTrue(ConnectLeg.ANSWER_WITHIN.compareTo(Duration.ofSeconds(32)) < 0);
        assertEquals(List.of(Request.BYE), carrier.dialog.methods());
        assertEquals("connect_failed", f.lastRecord().errorCode());
        // The platform answers anyway: ACKed and ended, nothing else happens to the call.
        platform.answer(200, "10.0.0.9", sdp(PLATFORM_SDP));
        assertEquals(List.of(1L), platform.dialog.acks);
        assertEquals(List.of(Request.BYE), platform.dialog.methods());
        assertEquals(1, carrier.dialog.acks.size(), "the carrier's 2xx was ACKed once");
    }

    @Test
    void anUnreachablePlatformFailsTheCall() {
        ctx.unreachable.put("10.0.0.9", "connection refused");
        placed();
        FakeRelayContext.SentInvite carrier = ctx.lastInvite();
        carrier.answer(200, RelayFixture.TRUNK_A_IP, sdp(CARRIER_SDP));
        ctx.elapse(Duration.ZERO);
        assertEquals(1, ctx.invites.size());
        assertEquals(503, f.event("call.failed").data().get("sip_code"));
        assertEquals(List.of(Request.BYE), carrier.dialog.methods());
        assertEquals(0, ctx.pendingTimers());
    }

    @Test
    void aCarrierAnswerWithoutAnOfferFailsTheCall() {
        placed();
        FakeRelayContext.SentInvite carrier = ctx.lastInvite();
        carrier.answer(200);
        ctx.elapse(Duration.ZERO);
        assertEquals(1, ctx.invites.size(), "nothing to offer the platform");
        assertEquals(488, f.event("call.failed").data().get("sip_code"));
        assertEquals(List.of(1L), carrier.dialog.acks);
        assertEquals(List.of(Request.BYE), carrier.dialog.methods());
    }

    @Test
    void hangingUpWhileTheCarrierRingsCancelsIt() {
        CallRecord call = placed();
        FakeRelayContext.SentInvite carrier = ctx.lastInvite();
        carrier.answer(180);
        assertEquals(CallControl.HangUp.ENDING, f.relay.hangUp("cust_a", call.id()));
        assertTrue(carrier.canceled);
        assertEquals("canceled", f.lastRecord().status());
        assertEquals("api", f.lastRecord().hangupSide());
        assertEquals(CallControl.HangUp.NOT_IN_PROGRESS, f.relay.hangUp("cust_a", call.id()), "once only");
        assertEquals(0, ctx.pendingTimers());
    }

    @Test
    void hangingUpABridgedCallSendsByeOnBothLegs() {
        CallRecord call = placed();
        FakeRelayContext.SentInvite carrier = ctx.lastInvite();
        FakeRelayContext.SentInvite platform = carrierAnswers(carrier);
        platform.answer(200, "10.0.0.9", sdp(PLATFORM_SDP));
        assertEquals(CallControl.HangUp.ENDING, f.relay.hangUp("cust_a", call.id()));
        assertEquals(List.of(Request.BYE), carrier.dialog.methods());
        assertEquals(List.of(Request.BYE), platform.dialog.methods());
        RelayFixture.Event completed = f.event("call.completed");
        assertEquals("api", completed.data().get("hangup_side"));
        assertEquals("api_request", completed.data().get("hangup_cause"));
        assertEquals(0, f.relay.activeCalls());
    }

    @Test
    void hangingUpWhileThePlatformRingsCancelsItAndEndsTheCarrierLeg() {
        CallRecord call = placed();
        FakeRelayContext.SentInvite carrier = ctx.lastInvite();
        FakeRelayContext.SentInvite platform = carrierAnswers(carrier);
        assertEquals(CallControl.HangUp.ENDING, f.relay.hangUp("cust_a", call.id()));
        assertFalse(platform.canceled, "no CANCEL before a provisional (RFC 3261 §9.1)");
        platform.answer(180);
        assertTrue(platform.canceled, "sent as soon as one came");
        assertEquals(List.of(1L), carrier.dialog.acks);
        assertEquals(List.of(Request.BYE), carrier.dialog.methods());
        assertEquals("completed", f.lastRecord().status());
        assertEquals("api", f.lastRecord().hangupSide());
        assertEquals(0, ctx.pendingTimers());
    }

    @Test
    void theCarrierHangingUpWhileThePlatformRingsStopsThePlatformOnly() throws Exception {
        placed();
        FakeRelayContext.SentInvite carrier = ctx.lastInvite();
        FakeRelayContext.SentInvite platform = carrierAnswers(carrier);
        platform.answer(180);
        FakeRelayContext.FakeServerWire bye = fromCarrier(carrier, Request.BYE);
        assertEquals(List.of(200), bye.codes());
        assertTrue(platform.canceled);
        assertTrue(carrier.dialog.sent.isEmpty(), "no BYE back to the side that hung up");
        assertEquals("carrier", f.lastRecord().hangupSide());
    }

    @Test
    void anotherCustomerCannotSeeOrEndTheCall() {
        CallRecord call = placed();
        assertEquals(CallControl.HangUp.NOT_IN_PROGRESS, f.relay.hangUp("cust_b", call.id()));
        assertTrue(f.relay.inProgress("cust_b", call.id()).isEmpty());
        assertFalse(ctx.lastInvite().canceled);
        assertEquals(1, f.relay.activeCalls());
    }

    @Test
    void refusedLikeAPlatformInviteBeforeAnythingIsSent() {
        CallControl.Placement p = place("+15550000000");
        CallControl.Refused r = assertInstanceOf(CallControl.Refused.class, p);
        assertEquals(ErrorCode.CALLER_ID_NOT_VERIFIED, r.code());
        assertTrue(ctx.invites.isEmpty());
        assertTrue(f.events.isEmpty());
        CallControl.Placement pinned = f.relay.place(new CallControl.Origination("cust_a", "+15551230003",
                "+15551230001", TARGET, "no-such-trunk"));
        assertEquals(ErrorCode.NO_ACTIVE_TRUNK, assertInstanceOf(CallControl.Refused.class, pinned).code());
        assertEquals(0, f.relay.activeCalls());
    }

    @Test
    void aCarrierThatFailsOverReachesTheNextTrunk() {
        placed();
        ctx.lastInvite().answer(503);
        FakeRelayContext.SentInvite second = ctx.lastInvite();
        assertEquals(RelayFixture.TRUNK_B_IP, second.host());
        FakeRelayContext.SentInvite platform = carrierAnswers(second);
        assertEquals("trunk_b", header(platform.request, CallRelay.TRUNK_ID_HEADER));
    }

    private FakeRelayContext.FakeServerWire fromCarrier(FakeRelayContext.SentInvite carrier, String method)
            throws Exception {
        Request r = (Request) carrier.request.clone();
        r.setMethod(method);
        ((javax.sip.header.CSeqHeader) r.getHeader("CSeq")).setMethod(method);
        r.removeContent();
        FakeRelayContext.FakeServerWire tx = new FakeRelayContext.FakeServerWire(ctx, r);
        assertTrue(f.relay.onRequest(new RelayContext.Incoming(r, false, tx)));
        return tx;
    }
}
