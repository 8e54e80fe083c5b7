package eu.minivoice.gateway.service;

import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.minivoice.gateway.actions.InvalidActionsException;
import eu.minivoice.gateway.domain.CallControl;
import eu.minivoice.gateway.domain.CallRecord;
import eu.minivoice.gateway.domain.E164;
import eu.minivoice.gateway.domain.RemoteHangUp;

import java.time.Duration;
import java.util.Optional;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntSupplier;
import java.util.function.Function;

/**
 * POST /v1/calls (docs/calls.md): the body checked field by field, {@code connect_to} vetted like
 * a forward target (no private or special address, pinned to the address checked, so nothing
 * resolves it again), then handed to the relay, which admits it like a platform INVITE. And
 * DELETE /v1/calls/{id}, which ends a call in progress — on this node, or by asking the node that
 * carries it (docs/scale-out.md).
 */
public final class CallOrigination {
    static final Set<String> FIELDS = Set.of("to", "from", "connect_to", "trunk");
    static final int MAX_URI = 512;
    /** The target check has its own bounded timeout; this only guards against a lost completion. */
    private static final long VET_WAIT_SECONDS = 10;
    /** How long a DELETE waits for the node that carries the call to confirm (one API worker each). */
    public static final Duration REMOTE_HANG_UP_WAIT = Duration.ofSeconds(2);

    /** What a DELETE /v1/calls/{id} did. */
    public enum Ending {
        /** The call's legs are being ended (here, or by the node that carries it). */
        ENDING,
        /** The customer has no call with that id. */
        NO_SUCH_CALL,
        /** The call has ended (or ends at this moment). */
        NOT_IN_PROGRESS,
        /** The call's node is no longer live: its calls are over; the record ends once the loss is noticed. */
        NODE_GONE,
        /** The call's node did not confirm in time: nothing is known, asking again is safe. */
        NODE_NOT_ANSWERING
    }

    private final CallControl calls;
    private final Function<String, CompletableFuture<String>> vetTarget;
    private final IntSupplier draining;
    private final CallHistory history;
    private final RemoteHangUp remote;
    private final String nodeId;

    /**
     * @param vetTarget checks a platform SIP URI and pins its host ({@link ActionTargets#pinnedTarget})
     * @param draining  while the gateway drains, the Retry-After seconds for refused calls; else -1
     * @param history   the customer's call records, to find which node carries a call
     * @param remote    other nodes' calls ({@link RemoteHangUp#NONE} for a gateway alone)
     * @param nodeId    this node's id
     */
    public CallOrigination(CallControl calls, Function<String, CompletableFuture<String>> vetTarget,
                           IntSupplier draining, CallHistory history, RemoteHangUp remote, String nodeId) {
        this.calls = calls;
        this.vetTarget = vetTarget;
        this.draining = draining;
        this.history = history;
        this.remote = remote;
        this.nodeId = nodeId;
    }

    /** @throws ValidationException naming every wrong field (nothing was placed) */
    public CallControl.Placement place(String customerId, ObjectNode body) {
        int retryAfter = draining.getAsInt();
        if (retryAfter >= 0) {
            return new CallControl.Refused(eu.minivoice.gateway.domain.ErrorCode.DRAINING,
                    "the gateway is shutting down; place the call on another node", retryAfter);
        }
        Fields f = new Fields(body, FIELDS, Set.of());
        String to = number(f, "to");
        String from = number(f, "from");
        String connectTo = f.text("connect_to");
        if (connectTo == null) {
            f.error("connect_to", "is required: the platform SIP URI to connect the answered call to");
        } else if (connectTo.length() > MAX_URI || Fields.hasControl(connectTo) || !connectTo.startsWith("sip:")) {
            f.error("connect_to", "must be a sip: URI of at most " + MAX_URI + " characters");
            connectTo = null;
        } else if (connectTo.toLowerCase(java.util.Locale.ROOT).contains("transport=tls")) {
            // The platform side listens on UDP and TCP only (docs/sip.md): a TLS leg could never be sent.
            f.error("connect_to", "the platform side has no TLS: use udp or ;transport=tcp");
            connectTo = null;
        }
        String trunk = f.text("trunk");
        if (trunk != null && (trunk.isBlank() || trunk.length() > 100 || Fields.hasControl(trunk))) {
            f.error("trunk", "must be a trunk id or gateway_name");
        }
        f.throwIfAny();
        String pinned = vetted(connectTo);
        CallControl.Placement placement = calls.place(new CallControl.Origination(customerId, to, from, pinned, trunk));
        return placement instanceof CallControl.Placed p ? new CallControl.Placed(p.call().withNode(nodeId)) : placement;
    }

    /**
     * DELETE /v1/calls/{id}: ends the customer's call if it is in progress here; otherwise, when
     * its record says another live node carries it, asks that node and waits (bounded) for its answer.
     */
    public Ending hangUp(String customerId, String callId) {
        if (calls.hangUp(customerId, callId) == CallControl.HangUp.ENDING) {
            return Ending.ENDING;
        }
        Optional<CallRecord> found = history.find(customerId, callId);
        if (found.isEmpty()) {
            return Ending.NO_SUCH_CALL;
        }
        CallRecord record = found.get();
        if (!record.inProgress() || record.node() == null || record.node().equals(nodeId)) {
            return Ending.NOT_IN_PROGRESS;
        }
        if (!remote.live(record.node())) {
            return Ending.NODE_GONE;
        }
        try {
            return remote.ask(record.node(), customerId, callId, REMOTE_HANG_UP_WAIT)
                    .get(REMOTE_HANG_UP_WAIT.toMillis() + 500, TimeUnit.MILLISECONDS) == CallControl.HangUp.ENDING
                    ? Ending.ENDING : Ending.NOT_IN_PROGRESS;
        } catch (ExecutionException | TimeoutException e) {
            return Ending.NODE_NOT_ANSWERING;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Ending.NODE_NOT_ANSWERING;
        }
    }

    /** A required E.164 number in its canonical form. */
    private static String number(Fields f, String field) {
        String v = f.text(field);
        if (v == null) {
            f.error(field, "is required (E.164, e.g. +15551230003)");
            return null;
        }
        return E164.normalise(v).orElseGet(() -> {
            f.error(field, "must be an E.164 number such as +15551230003");
            return null;
        });
    }

    private String vetted(String connectTo) {
        try {
            return vetTarget.apply(connectTo).get(VET_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                    ? c.getCause() : e.getCause();
            String why = cause instanceof InvalidActionsException ? cause.getMessage() : "cannot be checked: " + cause;
            throw ValidationException.of("connect_to", why);
        } catch (TimeoutException e) {
            throw ValidationException.of("connect_to", "its host could not be checked in time");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ValidationException.of("connect_to", "interrupted while checking it");
        }
    }
}
