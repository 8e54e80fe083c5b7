package eu.minivoice.gateway.service;

import eu.minivoice.gateway.domain.InboundConflicts;
import eu.minivoice.gateway.domain.ProbeResult;
import eu.minivoice.gateway.domain.RegistrationStatus;
import eu.minivoice.gateway.domain.RegistrationView;
import eu.minivoice.gateway.domain.SipReachability;
import eu.minivoice.gateway.domain.Trunk;
import eu.minivoice.gateway.domain.TrunkDirection;
import eu.minivoice.gateway.domain.TrunkHealth;
import eu.minivoice.gateway.domain.TrunkSpec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * POST /v1/trunks/{id}/test: "can I route real traffic through this trunk now?" An OPTIONS to the
 * proxy right now, the registration state, and configuration warnings (docs/product.md §2).
 */
public final class TrunkReadiness {
    public record Report(boolean ready, ProbeResult probe, RegistrationStatus registrationStatus, String registrationReason,
                         TrunkHealth health, List<String> warnings) {
    }

    private final RegistrationView registrations;
    private final SipReachability sip;
    private final Duration timeout;
    private final InboundConflicts conflicts;

    public TrunkReadiness(RegistrationView registrations, SipReachability sip, Duration timeout,
                          InboundConflicts conflicts, int maxConcurrent) {
        this.slots = new java.util.concurrent.Semaphore(maxConcurrent);
        this.registrations = registrations;
        this.conflicts = conflicts;
        this.sip = sip;
        this.timeout = timeout;
    }

    /**
     * A test holds an API worker for up to the probe timeout, so tests are limited: one at a time
     * per customer, and {@code maxConcurrent} in all — the API workers stay free for everybody else.
     */
    private final java.util.Set<String> testing = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.Semaphore slots;

    /** @return false when the customer has a test running, or too many are (the API answers 429) */
    public boolean tryBegin(String customerId) {
        if (!testing.add(customerId)) {
            return false;
        }
        if (!slots.tryAcquire()) {
            testing.remove(customerId);
            return false;
        }
        return true;
    }

    public void end(String customerId) {
        testing.remove(customerId);
        slots.release();
    }

    /** Blocks the calling (API worker) thread for at most the probe timeout. */
    public Report test(Trunk trunk) {
        TrunkSpec s = trunk.spec();
        ProbeResult probe;
        try {
            probe = sip.options(trunk.customerId(), s.proxyAddress(), timeout)
                    .get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            probe = new ProbeResult(null, null, timeout.toMillis(), "no answer", null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            probe = new ProbeResult(null, null, 0, "interrupted", null);
        }
        var snapshot = (s.active() && s.registers()) ? registrations.snapshot(trunk.id()).orElse(null) : null;
        RegistrationStatus status = snapshot != null ? snapshot.status() : trunk.initialRegistrationStatus();
        String reason = snapshot != null ? snapshot.lastReason() : null;
        TrunkHealth health = s.active() && s.pingInterval() > 0
                ? registrations.health(trunk.id()).orElse(TrunkHealth.UNKNOWN) : TrunkHealth.UNKNOWN;

        List<String> warnings = new ArrayList<>();
        if (!s.active()) {
            warnings.add("the trunk is inactive: it carries no calls and does not register");
        }
        if (!probe.reachable()) {
            warnings.add("the proxy did not answer OPTIONS (" + probe.error() + ")");
        }
        boolean inbound = s.direction() != TrunkDirection.OUTBOUND;
        if (inbound && s.inboundIp() == null && !s.registers()) {
            warnings.add("inbound calls cannot be matched to this trunk: set inbound_ip or enable registration");
        }
        if (inbound && s.inboundIp() != null && conflicts.inboundConflict(trunk.id())) {
            warnings.add("inbound_ip_conflict: another customer's trunk claimed part of inbound_ip earlier; calls from"
                    + " those addresses reach this trunk only for numbers you hold and they do not (verified numbers"
                    + " decide first)");
        }
        if (!s.tlsVerifyHostname() && s.proxyAddress().transport() == eu.minivoice.gateway.domain.SipTransport.TLS) {
            warnings.add("tls_verify_hostname is off: the carrier's certificate is not checked against " + s.proxyAddress().host()
                    + " (anyone on the path with a certificate your trust store accepts could pose as the carrier)");
        }
        if (s.registers() && s.password() == null) {
            warnings.add("registration is on but no password is set: a Digest challenge will fail");
        }
        if (s.registers() && s.active() && status != RegistrationStatus.REGED) {
            warnings.add("registration is " + status + (reason == null ? "" : ": " + reason));
        }
        if (health == TrunkHealth.DOWN) {
            warnings.add("OPTIONS keep-alive reports the trunk DOWN: outbound selection skips it");
        }
        boolean ready = s.active() && probe.reachable() && (!s.registers() || status == RegistrationStatus.REGED)
                && health != TrunkHealth.DOWN;
        return new Report(ready, probe, status, reason, health, List.copyOf(warnings));
    }
}
