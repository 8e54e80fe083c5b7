package eu.minivoice.gateway.sip.relay;

import eu.minivoice.gateway.routing.OutboundRouter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * How calls end — one path for all of them. {@link #end} lets go of everything the call holds
 * (timers, the customer's concurrent-call slot, the callee's trunk slot, its table entries) and
 * reports the {@link EndCause} in the final event and the record.
 */
final class Teardown {
    private static final Logger log = LoggerFactory.getLogger(Teardown.class);

    private final RelayContext ctx;
    private final CallTable table;
    private final OutboundRouter router;
    private final CallObserver observer;
    private final CallerAnswers answers;

    Teardown(RelayContext ctx, CallTable table, OutboundRouter router, CallObserver observer, CallerAnswers answers) {
        this.ctx = ctx;
        this.table = table;
        this.router = router;
        this.observer = observer;
        this.answers = answers;
    }

    /** Ends a call that was not answered: its final answer to the caller, then {@link #end}. */
    void fail(RelayCall call, EndCause cause) throws Exception {
        fail(call, cause, r -> { });
    }

    void fail(RelayCall call, EndCause cause, CallerAnswers.Decoration extra) throws Exception {
        answers.sendFinal(call, cause, extra);
        if (cause.error() != null) {
            log.info("call {}: refused {} {} ({})", call.id, cause.sipCode(), cause.error().code(), cause.message());
        }
        end(call, cause);
    }

    /** An answered call is hung up by {@code by} (its BYE is answered already); null: by the gateway, both legs get a BYE. */
    void hangUp(RelayCall call, Leg by) throws Exception {
        hangUp(call, by, by == null ? EndCause.atMaxDuration() : EndCause.hangUp(EndCause.Side.of(by.internal)));
    }

    /** An answered call ends with {@code cause}: a BYE to every leg but {@code by} (null: both). */
    void hangUp(RelayCall call, Leg by, EndCause cause) throws Exception {
        if (call.state() != CallState.ANSWERED) {
            return;
        }
        if (!call.bridged()) {
            // A placed call whose platform leg is not up yet: that INVITE is stopped, the carrier
            // leg ended unless it is the one hanging up (docs/calls.md).
            try {
                call.connect.abandon(by == call.callee);
            } finally {
                end(call, cause);
            }
            return;
        }
        for (Leg leg : new Leg[] {call.caller, call.callee}) {
            if (leg != by) {
                try {
                    bye(leg.dialog);
                } catch (Exception e) {
                    // The call ends all the same: a leg whose BYE cannot be made (a dialog the
                    // stack never confirmed) must not keep the call, its slots and timers alive.
                    log.warn("call {}: BYE to the {} leg not sent: {}", call.id, leg.internal ? "platform" : "carrier",
                            e.toString());
                }
            }
        }
        end(call, cause);
    }

    /**
     * The callee attempt of an unanswered call is given up: CANCEL it now if it answered
     * provisionally, else as soon as it does (RFC 3261 §9.1: never before a provisional answer).
     */
    static void cancelCallee(RelayCall call) throws Exception {
        if (call.callee != null) {
            cancelInvite(call.callee);
        }
    }

    /** CANCEL a leg's INVITE now if it answered provisionally, else as soon as it does (none sent yet: nothing). */
    static void cancelInvite(Leg leg) throws Exception {
        if (leg.out == null) {
            return;
        }
        if (leg.provisional) {
            leg.out.cancel();
        } else {
            leg.cancelPending = true;
        }
    }

    static void bye(RelayContext.DialogWire dialog) throws Exception {
        dialog.send(dialog.newRequest(javax.sip.message.Request.BYE), null);
    }

    void end(RelayCall call, EndCause cause) {
        call.ended(cause, ctx.now());
        cancel(call.ringTimer);
        cancel(call.maxDurationTimer);
        releaseCustomerSlot(call);
        Leg callee = call.callee;
        if (callee != null) {
            callee.cancelSilenceTimer();
            releaseTrunk(callee);
            if (cause.completed() || call.answeredAt() != null) {
                table.removeCallee(call, callee); // else it stays until the canceled INVITE's final answer
            }
        }
        table.remove(call);
        if (call.hasCustomer()) {
            long seconds = call.answeredAt() == null ? 0 : Duration.between(call.answeredAt(), ctx.now()).toSeconds();
            observer.callEvent(cause.eventType(), call.info(), call.variables, cause.eventData(call.attemptsJson(), seconds));
            observer.recordChanged(call.record());
        }
    }

    void releaseCustomerSlot(RelayCall call) {
        if (call.customerSlot) {
            call.customerSlot = false;
            router.released(call.customerId);
        }
    }

    /** Gives back the trunk slot a callee leg holds (forward legs to the platform hold none); once. */
    void releaseTrunk(Leg leg) {
        if (leg.trunkSlot) {
            leg.trunkSlot = false;
            router.trunkReleased(leg.trunk.id());
        }
    }

    static void cancel(RelayContext.Cancellable timer) {
        if (timer != null) {
            timer.cancel();
        }
    }
}
