package eu.minivoice.gateway.sip.relay;

import org.junit.jupiter.api.Test;

import static eu.minivoice.gateway.sip.relay.CallState.ANSWERED;
import static eu.minivoice.gateway.sip.relay.CallState.EARLY;
import static eu.minivoice.gateway.sip.relay.CallState.ENDED;
import static eu.minivoice.gateway.sip.relay.CallState.ROUTING;
import static eu.minivoice.gateway.sip.relay.CallState.TRYING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CallTransitionsTest {
    @Test
    void theTableAllowsTheCallsLifeAndNothingAfterTheEnd() {
        assertTrue(CallTransitions.allowed(ROUTING, TRYING));
        assertTrue(CallTransitions.allowed(TRYING, EARLY));
        assertTrue(CallTransitions.allowed(EARLY, ANSWERED));
        assertTrue(CallTransitions.allowed(ANSWERED, ENDED));
        assertTrue(CallTransitions.allowed(EARLY, TRYING), "a hunt's next target");
        assertFalse(CallTransitions.allowed(ANSWERED, TRYING));
        assertFalse(CallTransitions.allowed(ANSWERED, ANSWERED));
        assertFalse(CallTransitions.allowed(ROUTING, ANSWERED));
        for (CallState s : CallState.values()) {
            assertFalse(CallTransitions.allowed(ENDED, s));
        }
    }

    @Test
    void anIllegalTransitionThrowsAndLeavesTheStateAsItWas() throws Exception {
        FakeRelayContext ctx = new FakeRelayContext();
        RelayFixture f = new RelayFixture();
        RelayCall call = new RelayCall("call_1", "cust_a", Leg.caller(true, f.inviteRequest(true, "c1", "+1", "+2", null),
                new FakeRelayContext.FakeServerWire(ctx, null)), "t", "+1", "+2", ctx.now());
        assertThrows(IllegalStateException.class, () -> call.setState(ANSWERED, "test"));
        assertEquals(ROUTING, call.state());
        assertEquals("initiated", call.status());
        call.setState(TRYING, "test");
        call.setState(EARLY, 180);
        call.rang();
        assertEquals("ringing", call.status());
        call.answered(200, ctx.now());
        assertEquals("answered", call.status());
        call.ended(EndCause.hangUp(EndCause.Side.CARRIER), ctx.now());
        assertEquals("completed", call.status());
        assertThrows(IllegalStateException.class, () -> call.ended(EndCause.canceled(), ctx.now()));
    }

    @Test
    void endCausesNameTheirStatusAndReason() {
        assertEquals("busy", EndCause.answered(486, "Busy").status());
        assertEquals("no_answer", EndCause.answered(480, null).status());
        assertEquals("failed", EndCause.answered(404, null).status());
        assertEquals("rejected", EndCause.answered(603, null).reason().wire());
        assertEquals("canceled", EndCause.canceled().status());
        assertEquals("call.completed", EndCause.hangUp(EndCause.Side.PLATFORM).eventType());
        assertEquals("failed", EndCause.redirected("sip:x@y").status());
    }
}
