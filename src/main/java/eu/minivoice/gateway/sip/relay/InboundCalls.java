package eu.minivoice.gateway.sip.relay;

import eu.minivoice.gateway.actions.ActionFetcher;
import eu.minivoice.gateway.actions.ActionRequest;
import eu.minivoice.gateway.domain.E164;
import eu.minivoice.gateway.domain.ErrorCode;
import eu.minivoice.gateway.domain.IdGenerator;
import eu.minivoice.gateway.routing.InboundMatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sip.header.FromHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The start of an inbound call (docs/inbound.md), once {@link InboundGate} matched it to a trunk
 * and a route: 100 Trying at once, then the application is asked (call.initiated, asynchronously:
 * no SIP thread waits) and its actions run as an {@link ActionProgram} when the answer comes.
 */
final class InboundCalls {
    private static final Logger log = LoggerFactory.getLogger(InboundCalls.class);

    private final RelayContext ctx;
    private final CallTable table;
    private final CallObserver observer;
    private final IdGenerator ids;
    private final Supplier<String> tokens;
    private final Teardown teardown;
    private final ActionFetcher actions;
    private final ActionProgram.Services programs;

    InboundCalls(RelayContext ctx, CallTable table, CallObserver observer, IdGenerator ids, Supplier<String> tokens,
                 Teardown teardown, ActionFetcher actions, ActionProgram.Services programs) {
        this.ctx = ctx;
        this.table = table;
        this.observer = observer;
        this.ids = ids;
        this.tokens = tokens;
        this.teardown = teardown;
        this.actions = actions;
        this.programs = programs;
    }

    void onInvite(RelayContext.Incoming in, InboundMatch.Routed routed) throws Exception {
        Request invite = in.request();
        in.tx().open();
        String from = SipText.user(((FromHeader) invite.getHeader(FromHeader.NAME)).getAddress().getURI());
        RelayCall call = new RelayCall(ids.newOrderedId("call"), routed.trunk().customerId(),
                Leg.caller(false, invite, in.tx()), tokens.get(), E164.normalise(from).orElse(from), routed.dialled(),
                ctx.now());
        in.tx().respond(ctx.messages().createResponse(Response.TRYING, invite));
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("route", routed.number() != null && routed.number().applicationId() != null ? "number" : "trunk");
        if (routed.number() != null) {
            data.put("number_id", routed.number().id());
        }
        synchronized (call) {
            call.inboundTrunk = routed.trunk();
            call.applicationId = routed.applicationId();
            call.caller.dialog = in.tx().dialog();
            table.addCaller(call);
            table.claimId(call);
            observer.recordChanged(call.record());
            List<String> required = SipText.requiredOptions(invite);
            if (!required.isEmpty()) {
                // As on the platform side: nothing can be required of us (100rel is not offered
                // towards the caller; no session timers).
                teardown.fail(call, EndCause.refused(Response.BAD_EXTENSION, ErrorCode.UNSUPPORTED_EXTENSION,
                        "unsupported: " + String.join(", ", required)), r -> {
                            for (String tag : required) {
                                r.addHeader(ctx.headers().createUnsupportedHeader(tag));
                            }
                        });
                return;
            }
        }
        actions.fetch(new ActionRequest(call.info("initiated"), Map.of(), data)).whenComplete((decision, error) -> {
            synchronized (call) {
                try {
                    if (error != null) {
                        throw error;
                    }
                    if (call.state() != CallState.ROUTING) {
                        return; // canceled by the carrier while the application was asked
                    }
                    new ActionProgram(programs, call, decision.actions()).runFrom(0);
                } catch (Throwable t) {
                    log.warn("call {}: running the application's actions failed: {}", call.id, t.toString());
                    try {
                        if (!call.ended()) {
                            teardown.fail(call, EndCause.refused(500, ErrorCode.INTERNAL_ERROR,
                                    "internal error running actions"));
                        }
                    } catch (Exception e) {
                        log.warn("call {}: could not even refuse: {}", call.id, e.toString());
                    }
                }
            }
        });
    }
}
