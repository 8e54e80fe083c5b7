package eu.minivoice.gateway.metrics;

import eu.minivoice.gateway.domain.ProbeResult;
import eu.minivoice.gateway.domain.RegistrationSnapshot;
import eu.minivoice.gateway.domain.RegistrationStatus;
import eu.minivoice.gateway.domain.TrunkHealth;
import eu.minivoice.gateway.sip.registration.RegistrationEngine;
import eu.minivoice.gateway.sip.registration.RegistrationTarget;

import java.time.Instant;

/** Counts registration outcomes for the metrics, then hands every change on unchanged. */
public final class MetricsRegistrationListener implements RegistrationEngine.StatusListener {
    private final RegistrationEngine.StatusListener next;
    private final GatewayMetrics metrics;

    public MetricsRegistrationListener(RegistrationEngine.StatusListener next, GatewayMetrics metrics) {
        this.next = next;
        this.metrics = metrics;
    }

    @Override
    public void statusChanged(RegistrationTarget target, RegistrationStatus from, RegistrationStatus to, String reason,
                              RegistrationSnapshot now, Instant at) {
        metrics.registration(to);
        next.statusChanged(target, from, to, reason, now, at);
    }

    @Override
    public void healthChanged(String trunkId, String customerId, TrunkHealth from, TrunkHealth to, ProbeResult last,
                              Instant at) {
        next.healthChanged(trunkId, customerId, from, to, last, at);
    }
}
