package eu.minivoice.gateway.sip.relay;

import eu.minivoice.gateway.domain.CallRecord;
import org.junit.jupiter.api.Test;

import javax.sip.header.CSeqHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static eu.minivoice.gateway.sip.relay.RelayFixture.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The relay's outbound call machine on a fake stack: every transition of a platform call, with
 * timers fired by hand (no SIPp, no sockets, no sleeping). The SIPp scenario tests prove the same
 * flows on the wire.
 */
class OutboundRelayTest {
    private final RelayFixture f = new RelayFixture();
    private final FakeRelayContext ctx = f.ctx;

    @Test
    void anAnsweredCallIsRelayedAndThePlatformHangsUp() throws Exception {
        FakeRelayContext.FakeServerWire caller = f.platformInvite();
        assertEquals(List.of(100), caller.codes());
        String callId = header(caller.last(), CallRelay.CALL_ID_HEADER);
        assertNotNull(callId);
        FakeRelayContext.SentInvite trunk = ctx.lastInvite();
        assertFalse(trunk.internal);
        assertEquals(RelayFixture.TRUNK_A_IP, trunk.host());
        assertNull(trunk.request.getHeader(CallRelay.CUSTOMER_HEADER), "nothing of the platform's headers is copied");
        assertEquals(RelayFixture.SDP, new String(trunk.request.getRawContent()));

        trunk.answer(180);
        assertEquals(List.of(100, 180), caller.codes());
        assertEquals(callId, header(caller.last(), CallRelay.CALL_ID_HEADER));
        assertEquals("ringing", f.event("call.ringing").call().status());

        trunk.answer(200);
        assertEquals(200, caller.last().getStatusCode());
        assertNotNull(caller.last().getHeader("Contact"));
        assertEquals(List.of("call.initiated", "call.ringing", "call.answered"), f.eventTypes());
        assertEquals("answered", f.lastRecord().status());

        f.fromCaller(Request.ACK, 1);
        assertEquals(List.of(1L), trunk.dialog.acks, "the ACK goes on to the carrier");
        FakeRelayContext.FakeServerWire bye = f.fromCaller(Request.BYE, 2);
        assertEquals(List.of(200), bye.codes());
        assertEquals(List.of(Request.BYE), trunk.dialog.methods());

        RelayFixture.Event completed = f.event("call.completed");
        assertEquals("platform", completed.data().get("hangup_side"));
        assertEquals("normal_clearing", completed.data().get("hangup_cause"));
        CallRecord record = f.lastRecord();
        assertEquals("completed", record.status());
        assertEquals("hangup", record.reason());
        assertEquals(200, record.sipCode());
        assertEquals(0, f.relay.activeCalls());
        assertEquals(0, ctx.pendingTimers(), "an ended call leaves no timer behind");
        assertTrue(f.trunkFree(f.trunkA));
    }

    @Test
    void aLegWhoseByeCannotBeMadeDoesNotKeepTheCallAlive() throws Exception {
        f.platformInvite();
        FakeRelayContext.SentInvite trunk = ctx.lastInvite();
        trunk.answer(200);
        f.fromCaller(Request.ACK, 1);
        trunk.dialog.broken = true;
        FakeRelayContext.FakeServerWire bye = f.fromCaller(Request.BYE, 2);
        assertEquals(List.of(200), bye.codes());
        assertEquals("completed", f.lastRecord().status(), "ended although the carrier's BYE could not be made");
        assertEquals(0, f.relay.activeCalls());
        assertEquals(0, ctx.pendingTimers(), "no maximum-duration timer left behind");
        assertTrue(f.trunkFree(f.trunkA), "the trunk slot is back");
    }

    @Test
    void aTwoXxNeverAckedEndsTheCallWithAByeOnBothLegs() throws Exception {
        FakeRelayContext.FakeServerWire caller = f.platformInvite();
        FakeRelayContext.SentInvite trunk = ctx.lastInvite();
        trunk.answer(200);
        // No ACK from the platform: after 64·T1 the stack reports both legs' dialogs, in either order.
        assertTrue(f.relay.onDialogTimeout(trunk.callId(), false, trunk.dialog));
        assertEquals(List.of(Request.BYE), caller.dialog.methods(), "the platform leg is hung up");
        assertEquals(List.of(Request.BYE), trunk.dialog.methods(), "the carrier leg too (RFC 3261 §13.3.1.4)");
        assertFalse(f.relay.onDialogTimeout("platform-1", true, caller.dialog), "the call has ended already");
        RelayFixture.Event completed = f.event("call.completed");
        assertEquals("gateway", completed.data().get("hangup_side"));
        assertEquals("ack_timeout", completed.data().get("hangup_cause"));
        assertEquals("completed", f.lastRecord().status());
        assertEquals(0, f.relay.activeCalls());
        assertEquals(0, ctx.pendingTimers(), "no maximum-duration timer left behind");
        assertTrue(f.trunkFree(f.trunkA), "the trunk slot is back");
    }

    @Test
    void aDialogTimeoutOfAnotherDialogEndsNothing() throws Exception {
        FakeRelayContext.FakeServerWire caller = f.platformInvite();
        FakeRelayContext.SentInvite trunk = ctx.lastInvite();
        trunk.answer(200);
        f.fromCaller(Request.ACK, 1);
        // A forked answer's dialog on the carrier's Call-ID, or a dialog of a call already replaced.
        assertFalse(f.relay.onDialogTimeout(trunk.callId(), false,
                new FakeRelayContext.FakeDialog(ctx, trunk.request)));
        assertFalse(f.relay.onDialogTimeout("unknown-call", true, caller.dialog));
        assertEquals(1, f.relay.activeCalls());
        assertEquals(List.of(), caller.dialog.methods());
    }

    @Test
    void theCarrierHangsUp() throws Exception {
        FakeRelayContext.FakeServerWire caller = f.platformInvite();
        FakeRelayContext.SentInvite trunk = ctx.lastInvite();
        trunk.answer(200);
        f.fromCaller(Request.ACK, 1);
        FakeRelayContext.FakeServerWire bye = f.fromCallee(Request.BYE);
        assertEquals(List.of(200), bye.codes());
        assertEquals(List.of(Request.BYE), caller.dialog.methods(), "the BYE goes on to the platform");
        assertEquals("carrier", f.event("call.completed").data().get("hangup_side"));
        assertEquals(0, f.relay.activeCalls());
    }

    @Test
    void busyIsPassedBackAndNotFailedOver() throws Exception {
        FakeRelayContext.FakeServerWire caller = f.platformInvite();
        ctx.lastInvite().answer(486);
        assertEquals(486, caller.last().getStatusCode());
        assertEquals(1, ctx.invites.size());
        RelayFixture.Event failed = f.event("call.failed");
        assertEquals("busy", failed.data().get("reason"));
        assertEquals("busy", f.lastRecord().status());
        assertEquals(0, ctx.pendingTimers());
    }

    @Test
    void aFailoverCodeBeforeAnyProvisionalMovesToTheNextTrunk() throws Exception {
        FakeRelayContext.FakeServerWire caller = f.platformInvite();
        ctx.lastInvite().answer(503);
        assertEquals(2, ctx.invites.size());
        FakeRelayContext.SentInvite second = ctx.lastInvite();
        assertEquals(RelayFixture.TRUNK_B_IP, second.host());
        assertEquals(List.of(100), caller.codes(), "the platform hears nothing of the failed attempt");
        second.answer(200);
        assertEquals(200, caller.last().getStatusCode());
        List<Map<String, Object>> attempts = castAttempts(f.event("call.answered").data().get("attempts"));
        assertEquals(503, attempts.get(0).get("sip_code"));
        assertEquals("trunk_b", attempts.get(1).get("trunk_id"));
        assertTrue(f.trunkFree(f.trunkA), "the failed attempt's trunk slot is back");
    }

    @Test
    void noFailoverOnceTheCarrierRang() throws Exception {
        FakeRelayContext.FakeServerWire caller = f.platformInvite();
        ctx.lastInvite().answer(180);
        ctx.lastInvite().answer(503);
        assertEquals(1, ctx.invites.size());
        assertEquals(503, caller.last().getStatusCode());
        assertEquals("failed", f.lastRecord().status());
    }

    @Test
    void everyTrunkFailingPassesTheLastAnswerBack() throws Exception {
        FakeRelayContext.FakeServerWire caller = f.platformInvite();
        ctx.lastInvite().answer(503);
        ctx.lastInvite().answer(502);
        assertEquals(502, caller.last().getStatusCode());
        assertEquals(502, f.event("call.failed").data().get("sip_code"));
        assertNull(header(caller.last(), CallRelay.ERROR_HEADER), "a carrier's answer is not a gateway error");
    }

    @Test
    void aSilentCarrierIsFailedOverAfterTheInviteTimeout() throws Exception {
        f.platformInvite();
        FakeRelayContext.SentInvite first = ctx.lastInvite();
        ctx.elapse(RelayFixture.INVITE_TIMEOUT.minusMillis(1));
        assertEquals(1, ctx.invites.size());
        ctx.elapse(Duration.ofMillis(1));
        assertTrue(first.abandoned, "the silent INVITE stops retransmitting");
        assertEquals(2, ctx.invites.size());
        ctx.lastInvite().answer(200);
        List<Map<String, Object>> attempts = castAttempts(f.event("call.answered").data().get("attempts"));
        assertEquals(408, attempts.get(0).get("sip_code"));
        assertEquals(4000L, attempts.get(0).get("latency_ms"));
    }

    @Test
    void aCarrierThatSentTryingIsNotSilent() throws Exception {
        f.platformInvite();
        ctx.lastInvite().answer(100);
        ctx.elapse(RelayFixture.INVITE_TIMEOUT.plusSeconds(1));
        assertEquals(1, ctx.invites.size());
    }

    @Test
    void aTransportErrorFailsOver() throws Exception {
        f.platformInvite();
        ctx.lastInvite().answers.onTransportError();
        assertEquals(2, ctx.invites.size());
        ctx.lastInvite().answers.onTransportError();
        assertEquals("transport error (connection failed)", f.event("call.failed").data().get("sip_reason"));
        assertEquals(503, f.event("call.failed").data().get("sip_code"));
    }

    @Test
    void aTransactionTimeoutFailsOver() throws Exception {
        f.platformInvite();
        ctx.lastInvite().answer(100);
        ctx.lastInvite().answers.onTimeout();
        assertEquals(2, ctx.invites.size());
    }

    @Test
    void anUnreachableProxyIsSkippedWithoutSending() throws Exception {
        ctx.unreachable.put(RelayFixture.TRUNK_A_IP, "connection refused");
        f.platformInvite();
        assertEquals(1, ctx.invites.size());
        assertEquals(RelayFixture.TRUNK_B_IP, ctx.lastInvite().host());
        ctx.lastInvite().answer(200);
        List<Map<String, Object>> attempts = castAttempts(f.event("call.answered").data().get("attempts"));
        assertEquals("connection refused", attempts.get(0).get("error"));
    }

    @Test
    void aChallengeFromTheProxyIsAnsweredOnceWithTheTrunkCredentials() throws Exception {
        FakeRelayContext.FakeServerWire caller = f.platformInvite();
        FakeRelayContext.SentInvite first = ctx.lastInvite();
        first.answer(401, RelayFixture.TRUNK_A_IP, r -> r.addHeader(ctx.headers().createHeader("WWW-Authenticate",
                "Digest realm=\"carrier\", nonce=\"n1\", qop=\"auth\", algorithm=MD5")));
        assertEquals(2, ctx.invites.size());
        FakeRelayContext.SentInvite again = ctx.lastInvite();
        assertTrue(header(again.request, "Authorization").contains("username=\"user-trunk_a\""));
        assertEquals(2, ((CSeqHeader) again.request.getHeader(CSeqHeader.NAME)).getSeqNumber());
        assertEquals(header(first.request, "Call-ID"), header(again.request, "Call-ID"));
        again.answer(401, RelayFixture.TRUNK_A_IP, r -> r.addHeader(ctx.headers().createHeader("WWW-Authenticate",
                "Digest realm=\"carrier\", nonce=\"n2\", qop=\"auth\", algorithm=MD5")));
        assertEquals(2, ctx.invites.size(), "answered once only");
        assertEquals(401, caller.last().getStatusCode());
        assertTrue(f.trunkFree(f.trunkA));
    }

    @Test
    void aChallengeFromAStrangerGetsNoCredentials() throws Exception {
        FakeRelayContext.FakeServerWire caller = f.platformInvite();
        ctx.lastInvite().answer(407, "198.51.100.66", r -> r.addHeader(ctx.headers().createHeader("Proxy-Authenticate",
                "Digest realm=\"x\", nonce=\"n\", algorithm=MD5")));
        assertEquals(1, ctx.invites.size());
        assertEquals(407, caller.last().getStatusCode());
    }

    @Test
    void aCancelBeforeAnyProvisionalWaitsForOneThenCancels() throws Exception {
        FakeRelayContext.FakeServerWire caller = f.platformInvite();
        FakeRelayContext.SentInvite trunk = ctx.lastInvite();
        FakeRelayContext.FakeServerWire cancel = f.fromCaller(Request.CANCEL, 1);
        assertEquals(List.of(200), cancel.codes());
        assertEquals(487, caller.last().getStatusCode());
        assertFalse(trunk.canceled, "RFC 3261 §9.1: no CANCEL before a provisional");
        assertEquals("canceled", f.event("call.failed").data().get("reason"));
        assertEquals("canceled", f.lastRecord().status());
        trunk.answer(180);
        assertTrue(trunk.canceled);
        assertEquals(List.of(100, 487), caller.codes(), "nothing more reaches the platform");
        trunk.answer(487);
        assertTrue(f.trunkFree(f.trunkA));
        assertEquals(0, ctx.pendingTimers());
    }

    @Test
    void aCanceledAttemptWhoseCarrierNeverAnswersLeavesNothingBehind() throws Exception {
        RelayFixture limited = new RelayFixture(1, null);
        limited.platformInvite();
        FakeRelayContext.SentInvite trunk = limited.ctx.lastInvite();
        trunk.answer(180);
        limited.fromCaller(Request.CANCEL, 1);
        assertTrue(trunk.canceled);
        assertTrue(limited.trunkFree(limited.trunkA), "the trunk slot is back when the call ends, not at the carrier's answer");
        trunk.answers.onTimeout(); // the carrier never answers the INVITE or the CANCEL
        Request bye = (Request) trunk.request.clone();
        bye.setMethod(Request.BYE);
        ((CSeqHeader) bye.getHeader(CSeqHeader.NAME)).setMethod(Request.BYE);
        assertFalse(limited.relay.onRequest(new RelayContext.Incoming(bye, false,
                new FakeRelayContext.FakeServerWire(limited.ctx, bye))), "the attempt's Call-ID is no longer a call of ours");
        assertEquals(0, limited.ctx.pendingTimers());
    }

    @Test
    void aCancelAfterAProvisionalCancelsAtOnce() throws Exception {
        f.platformInvite();
        FakeRelayContext.SentInvite trunk = ctx.lastInvite();
        trunk.answer(183);
        f.fromCaller(Request.CANCEL, 1);
        assertTrue(trunk.canceled);
    }

    @Test
    void anAnswerThatCrossedTheCancelIsAckedAndHungUp() throws Exception {
        FakeRelayContext.FakeServerWire caller = f.platformInvite();
        FakeRelayContext.SentInvite trunk = ctx.lastInvite();
        trunk.answer(180);
        f.fromCaller(Request.CANCEL, 1);
        trunk.answer(200);
        assertEquals(List.of(1L), trunk.dialog.acks);
        assertEquals(List.of(Request.BYE), trunk.dialog.methods());
        assertEquals(487, caller.last().getStatusCode(), "the platform never sees the 200");
        assertEquals(List.of("call.initiated", "call.ringing", "call.failed"), f.eventTypes());
    }

    @Test
    void aCancelAfterTheAnswerIsTooLate() throws Exception {
        FakeRelayContext.FakeServerWire caller = f.platformInvite();
        ctx.lastInvite().answer(200);
        f.fromCaller(Request.CANCEL, 1);
        assertEquals(200, caller.last().getStatusCode());
        assertEquals(List.of("call.initiated", "call.answered"), f.eventTypes());
    }

    @Test
    void theMaximumDurationHangsUpBothLegs() throws Exception {
        FakeRelayContext.FakeServerWire caller = f.platformInvite();
        FakeRelayContext.SentInvite trunk = ctx.lastInvite();
        trunk.answer(200);
        f.fromCaller(Request.ACK, 1);
        ctx.elapse(RelayFixture.MAX_CALL);
        assertEquals(List.of(Request.BYE), caller.dialog.methods());
        assertEquals(List.of(Request.BYE), trunk.dialog.methods());
        RelayFixture.Event completed = f.event("call.completed");
        assertEquals("gateway", completed.data().get("hangup_side"));
        assertEquals("max_call_duration", completed.data().get("hangup_cause"));
        assertEquals(3600L, completed.data().get("duration"));
    }

    @Test
    void aRequestRightBehindTheAckIsRelayedAtOnceAfterIt() throws Exception {
        f.platformInvite();
        FakeRelayContext.SentInvite trunk = ctx.lastInvite();
        trunk.answer(200);
        f.fromCaller(Request.ACK, 1);
        FakeRelayContext.FakeServerWire info = f.fromCaller(Request.INFO, 2);
        assertEquals(List.of(1L), trunk.dialog.acks);
        assertEquals(List.of(Request.INFO), trunk.dialog.methods());
        trunk.dialog.sentAnswers.get(0).onResponse(new RelayContext.Answer(ctx.response(trunk.dialog.sent.get(0), 200),
                trunk.dialog, null));
        assertEquals(List.of(200), info.codes());
    }

    @Test
    void aReInviteIsRelayedAndItsAnswerComesBack() throws Exception {
        f.platformInvite();
        FakeRelayContext.SentInvite trunk = ctx.lastInvite();
        trunk.answer(200);
        f.fromCaller(Request.ACK, 1);
        FakeRelayContext.FakeServerWire reinvite = f.fromCaller(Request.INVITE, 2);
        Request out = trunk.dialog.sent.get(0);
        assertEquals(Request.INVITE, out.getMethod());
        assertEquals(RelayFixture.SDP, new String(out.getRawContent()), "the new offer goes on");
        trunk.dialog.sentAnswers.get(0).onResponse(new RelayContext.Answer(ctx.response(out, 200), trunk.dialog, null));
        assertEquals(List.of(200), reinvite.codes());
        f.fromCaller(Request.ACK, 2);
        assertEquals(List.of(1L, 2L), trunk.dialog.acks, "the re-INVITE's 2xx is ACKed end to end");
    }

    @Test
    void aRepeatedAckIsNotRelayedTwice() throws Exception {
        f.platformInvite();
        FakeRelayContext.SentInvite trunk = ctx.lastInvite();
        trunk.answer(200);
        f.fromCaller(Request.ACK, 1);
        // The platform ACKs again (our stack retransmitted the 200 to it): the carrier, which got
        // its ACK, must not get a second one.
        f.fromCaller(Request.ACK, 1);
        assertEquals(List.of(1L), trunk.dialog.acks);
        FakeRelayContext.FakeServerWire bye = f.fromCaller(Request.BYE, 2);
        assertEquals(List.of(200), bye.codes());
        assertEquals(List.of(Request.BYE), trunk.dialog.methods(), "the call goes on and ends as usual");
    }

    @Test
    void aReInviteBeforeTheAnswerIsRefused() throws Exception {
        f.platformInvite();
        ctx.lastInvite().answer(180);
        FakeRelayContext.FakeServerWire reinvite = f.fromCaller(Request.INVITE, 2);
        assertEquals(List.of(Response.REQUEST_PENDING), reinvite.codes());
    }

    @Test
    void aRefusalCarriesItsErrorCodeAndReachesNoCarrier() throws Exception {
        FakeRelayContext.FakeServerWire caller = f.invite(true, "platform-2", "+15557770000", "+15551230003",
                "X-MiniVoice-Customer-Id: cust_a");
        assertEquals(403, caller.last().getStatusCode());
        assertEquals("caller_id_not_verified", header(caller.last(), CallRelay.ERROR_HEADER));
        assertEquals(0, ctx.invites.size());
        assertEquals("caller_id_not_verified", f.lastRecord().errorCode());
        assertEquals("error", f.event("call.failed").data().get("reason"));
    }

    @Test
    void everyTrunkAtItsLimitIsLimitExceeded() throws Exception {
        RelayFixture limited = new RelayFixture(1, 1);
        limited.router.tryTrunk(limited.trunkA);
        limited.router.tryTrunk(limited.trunkB);
        FakeRelayContext.FakeServerWire caller = limited.platformInvite();
        assertEquals(503, caller.last().getStatusCode());
        assertEquals("limit_exceeded", header(caller.last(), CallRelay.ERROR_HEADER));
        assertEquals("1", header(caller.last(), "Retry-After"));
    }

    @Test
    void aSendStillWaitingForItsConnectionWhenTheCallEndsIsDroppedAndGivesItsSlotBack() throws Exception {
        RelayFixture limited = new RelayFixture(1, null);
        limited.ctx.slowHosts.add(RelayFixture.TRUNK_A_IP);
        limited.platformInvite();
        limited.fromCaller(Request.CANCEL, 1);
        limited.ctx.connect();
        assertEquals(0, limited.ctx.invites.size(), "nothing is sent for a call that is over");
        assertTrue(limited.trunkFree(limited.trunkA));
    }

    @Test
    void aLateAnswerOfAnAbandonedAttemptIsAckedAndHungUp() throws Exception {
        f.platformInvite();
        FakeRelayContext.SentInvite first = ctx.lastInvite();
        ctx.elapse(RelayFixture.INVITE_TIMEOUT);
        FakeRelayContext.SentInvite second = ctx.lastInvite();
        first.answer(200);
        assertEquals(List.of(1L), first.dialog.acks);
        assertEquals(List.of(Request.BYE), first.dialog.methods());
        second.answer(200);
        assertEquals("answered", f.lastRecord().status());
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> castAttempts(Object o) {
        return (List<Map<String, Object>>) o;
    }

    private static eu.minivoice.gateway.domain.SipTarget server(String ip) throws Exception {
        return new eu.minivoice.gateway.domain.SipTarget(java.net.InetAddress.getByName(ip), 5060,
                eu.minivoice.gateway.domain.SipTransport.UDP);
    }

    @Test
    void aProxyNamesServersAreTriedInOrderBeforeTheNextTrunk() throws Exception {
        RelayFixture named = new RelayFixture("carrier-a.test");
        named.ctx.located.put("carrier-a.test", List.of(server("203.0.113.11"), server("203.0.113.12")));
        named.platformInvite();
        assertEquals(1, named.ctx.invites.size());
        assertEquals("203.0.113.11", named.ctx.servers.get(0).host());
        assertEquals("carrier-a.test", named.ctx.lastInvite().host(), "the Request-URI keeps the name");
        named.ctx.lastInvite().answer(503, "203.0.113.11");
        assertEquals(2, named.ctx.invites.size(), "the same trunk's next server, not trunk_b");
        assertEquals("203.0.113.12", named.ctx.servers.get(1).host());
        named.ctx.lastInvite().answer(200, "203.0.113.12");
        List<Map<String, Object>> attempts = castAttempts(named.event("call.answered").data().get("attempts"));
        assertEquals(2, attempts.size());
        assertEquals("trunk_a", attempts.get(0).get("trunk_id"));
        assertEquals(503, attempts.get(0).get("sip_code"));
        assertEquals("trunk_a", attempts.get(1).get("trunk_id"));
        assertEquals(200, attempts.get(1).get("sip_code"));
    }

    @Test
    void aProxyNameThatLeadsNowhereMovesOnToTheNextTrunk() throws Exception {
        RelayFixture named = new RelayFixture("nowhere.test");
        named.platformInvite();
        assertEquals(1, named.ctx.invites.size());
        assertEquals(RelayFixture.TRUNK_B_IP, named.ctx.lastInvite().host());
        named.ctx.lastInvite().answer(200, RelayFixture.TRUNK_B_IP);
        List<Map<String, Object>> attempts = castAttempts(named.event("call.answered").data().get("attempts"));
        assertEquals("trunk_a", attempts.get(0).get("trunk_id"));
        assertTrue(String.valueOf(attempts.get(0).get("error")).startsWith("cannot resolve proxy"), attempts.toString());
        assertTrue(named.trunkFree(named.trunkA), "the skipped trunk's slot is back");
    }
}
