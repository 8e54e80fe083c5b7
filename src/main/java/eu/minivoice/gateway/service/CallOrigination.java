package eu.minivoice.gateway.service;

import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.minivoice.gateway.actions.InvalidActionsException;
import eu.minivoice.gateway.domain.CallControl;
import eu.minivoice.gateway.domain.E164;

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
 * DELETE /v1/calls/{id}, which ends a call in progress.
 */
public final class CallOrigination {
    static final Set<String> FIELDS = Set.of("to", "from", "connect_to", "trunk");
    static final int MAX_URI = 512;
    /** The target check has its own bounded timeout; this only guards against a lost completion. */
    private static final long VET_WAIT_SECONDS = 10;

    private final CallControl calls;
    private final Function<String, CompletableFuture<String>> vetTarget;
    private final IntSupplier draining;

    /**
     * @param vetTarget checks a platform SIP URI and pins its host ({@link ActionTargets#pinnedTarget})
     * @param draining  while the gateway drains, the Retry-After seconds for refused calls; else -1
     */
    public CallOrigination(CallControl calls, Function<String, CompletableFuture<String>> vetTarget,
                           IntSupplier draining) {
        this.calls = calls;
        this.vetTarget = vetTarget;
        this.draining = draining;
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
        return calls.place(new CallControl.Origination(customerId, to, from, pinned, trunk));
    }

    /** DELETE /v1/calls/{id}: ends the customer's call if it is in progress on this node. */
    public CallControl.HangUp hangUp(String customerId, String callId) {
        return calls.hangUp(customerId, callId);
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
