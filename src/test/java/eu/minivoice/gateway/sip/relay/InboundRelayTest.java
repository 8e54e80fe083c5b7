package eu.minivoice.gateway.sip.relay;

import eu.minivoice.gateway.actions.Action;
import eu.minivoice.gateway.actions.ActionDecision;
import org.junit.jupiter.api.Test;

import javax.sip.message.Request;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static eu.minivoice.gateway.sip.relay.RelayFixture.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The relay's inbound call machine on a fake stack: the application's actions (forward hunt,
 * dial, reject, redirect, set) and what follows each failure, with timers fired by hand.
 */
class InboundRelayTest {
    private final RelayFixture f = new RelayFixture();
    private final FakeRelayContext ctx = f.ctx;

    @Test
    void aForwardHuntMovesOnAfterTheRingTimeoutAndTheSecondTargetAnswers() throws Exception {
        f.actions(new Action.SetVariables(Map.of("tier", "gold")),
                new Action.Forward(List.of("sip:agent1@10.0.0.5", "sip:agent2@10.0.0.6"), 5));
        FakeRelayContext.FakeServerWire carrier = f.carrierInvite();
        assertEquals(List.of(100), carrier.codes());
        FakeRelayContext.SentInvite first = ctx.lastInvite();
        assertTrue(first.internal, "forward targets are on the platform side");
        assertEquals("cust_a", header(first.request, CallRelay.CUSTOMER_HEADER));
        assertEquals("+15551230001", header(first.request, CallRelay.DIALLED_HEADER));
        first.answer(180);
        assertEquals(180, carrier.last().getStatusCode());
        assertNull(header(carrier.last(), CallRelay.CALL_ID_HEADER), "no X-MiniVoice header towards a carrier");

        ctx.elapse(java.time.Duration.ofSeconds(5));
        assertTrue(first.canceled, "the target that rang is canceled");
        FakeRelayContext.SentInvite second = ctx.lastInvite();
        assertEquals("10.0.0.6", second.host());
        second.answer(200);
        assertEquals(200, carrier.last().getStatusCode());
        RelayFixture.Event answered = f.event("call.answered");
        assertEquals("inbound", answered.call().direction());
        List<?> attempts = (List<?>) answered.data().get("attempts");
        assertEquals(408, ((Map<?, ?>) attempts.get(0)).get("sip_code"));

        f.fromCaller(Request.ACK, 1);
        assertEquals(List.of(1L), second.dialog.acks);
        f.fromCallee(Request.BYE);
        assertEquals(List.of(Request.BYE), carrier.dialog.methods());
        assertEquals("platform", f.event("call.completed").data().get("hangup_side"));
        assertEquals(0, ctx.pendingTimers());
    }

    @Test
    void aFailedForwardRunsTheNextAction() throws Exception {
        f.actions(new Action.Forward(List.of("sip:agent1@10.0.0.5"), 30), new Action.Reject(486, "Busy Here"));
        FakeRelayContext.FakeServerWire carrier = f.carrierInvite();
        ctx.lastInvite().answer(480);
        assertEquals(486, carrier.last().getStatusCode());
        assertEquals("Busy Here", carrier.last().getReasonPhrase());
        assertEquals("busy", f.event("call.failed").data().get("reason"));
        assertEquals(0, ctx.pendingTimers());
    }

    @Test
    void noActionLeftAnswersTheLastFailure() throws Exception {
        f.actions(new Action.Forward(List.of("sip:agent1@10.0.0.5"), 30));
        FakeRelayContext.FakeServerWire carrier = f.carrierInvite();
        ctx.lastInvite().answer(480);
        assertEquals(480, carrier.last().getStatusCode());
        assertEquals("no_answer", f.lastRecord().status());
    }

    @Test
    void aDialGoesOutThroughTheTrunksWithFailover() throws Exception {
        f.actions(new Action.Dial("+15551230003", null, null, 30));
        FakeRelayContext.FakeServerWire carrier = f.carrierInvite();
        FakeRelayContext.SentInvite first = ctx.lastInvite();
        assertFalse(first.internal);
        assertEquals(RelayFixture.TRUNK_A_IP, first.host());
        assertTrue(first.request.getRequestURI().toString().contains("+15551230003"));
        first.answer(503);
        ctx.lastInvite().answer(200);
        assertEquals(200, carrier.last().getStatusCode());
        assertEquals(2, ctx.invites.size());
    }

    @Test
    void aDialTimeoutStopsTheAttemptAndRunsTheNextAction() throws Exception {
        f.actions(new Action.Dial("+15551230003", null, null, 10), new Action.Redirect("sip:voicemail@10.0.0.8"));
        FakeRelayContext.FakeServerWire carrier = f.carrierInvite();
        FakeRelayContext.SentInvite trunk = ctx.lastInvite();
        trunk.answer(180);
        ctx.elapse(java.time.Duration.ofSeconds(10));
        assertTrue(trunk.canceled);
        assertEquals(302, carrier.last().getStatusCode());
        assertTrue(header(carrier.last(), "Contact").contains("voicemail"));
        assertEquals("sip:voicemail@10.0.0.8", f.event("call.failed").data().get("redirect_to"));
        assertTrue(f.trunkFree(f.trunkA));
        trunk.answer(200);
        assertEquals(List.of(Request.BYE), trunk.dialog.methods(), "a late answer of the given-up dial is hung up");
    }

    @Test
    void aRefusedDialRecordsWhyAndRunsTheNextAction() throws Exception {
        f.actions(new Action.Dial("not-a-number", null, null, 10));
        FakeRelayContext.FakeServerWire carrier = f.carrierInvite();
        assertEquals(0, ctx.invites.size());
        assertEquals(484, carrier.last().getStatusCode());
    }

    @Test
    void theCarrierCancelsWhileTheApplicationIsAsked() throws Exception {
        f.nextDecision = new CompletableFuture<>();
        FakeRelayContext.FakeServerWire carrier = f.carrierInvite();
        f.fromCaller(Request.CANCEL, 1);
        assertEquals(487, carrier.last().getStatusCode());
        f.nextDecision.complete(new ActionDecision(List.of(new Action.Forward(List.of("sip:a@10.0.0.5"), 5)),
                "evt", 200, 1, null, null));
        assertEquals(0, ctx.invites.size(), "the actions of a canceled call do not run");
        assertEquals("canceled", f.lastRecord().status());
    }

    @Test
    void aRequiredExtensionIsRefusedWith420() throws Exception {
        f.actions(new Action.Forward(List.of("sip:a@10.0.0.5"), 5));
        Request invite = f.inviteRequest(false, "carrier-9", "+15559990001", "+15551230001", null, "Require: timer");
        FakeRelayContext.FakeServerWire tx = new FakeRelayContext.FakeServerWire(ctx, invite);
        f.relay.onInboundInvite(new RelayContext.Incoming(invite, false, tx),
                new eu.minivoice.gateway.routing.InboundMatch.Routed(f.trunkA, "+15551230001", null, "app_1", "trunk",
                        List.of(f.trunkA)));
        assertEquals(420, tx.last().getStatusCode());
        assertEquals("timer", header(tx.last(), "Unsupported"));
        assertTrue(f.initiated.isEmpty(), "the application is not asked");
    }
}
