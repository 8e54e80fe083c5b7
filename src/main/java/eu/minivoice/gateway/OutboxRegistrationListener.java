package eu.minivoice.gateway;

import eu.minivoice.gateway.domain.ProbeResult;
import eu.minivoice.gateway.domain.RegistrationSnapshot;
import eu.minivoice.gateway.domain.RegistrationStatus;
import eu.minivoice.gateway.domain.TrunkHealth;
import eu.minivoice.gateway.events.Outbox;
import eu.minivoice.gateway.service.RegistrationEvents;
import eu.minivoice.gateway.sip.registration.RegistrationEngine;
import eu.minivoice.gateway.sip.registration.RegistrationTarget;

import java.time.Instant;

/** Registration and keep-alive changes become trunk events in the durable outbox (never blocking). */
final class OutboxRegistrationListener implements RegistrationEngine.StatusListener {
    private final Outbox outbox;
    private final RegistrationEvents events;

    OutboxRegistrationListener(Outbox outbox, RegistrationEvents events) {
        this.outbox = outbox;
        this.events = events;
    }

    @Override
    public void statusChanged(RegistrationTarget target, RegistrationStatus from, RegistrationStatus to, String reason,
                              RegistrationSnapshot now, Instant at) {
        outbox.publish(events.changed(target.trunkId(), target.customerId(), from, to, reason, now, at));
    }

    @Override
    public void healthChanged(String trunkId, String customerId, TrunkHealth from, TrunkHealth to, ProbeResult last,
                              Instant at) {
        outbox.publish(events.healthChanged(trunkId, customerId, from, to, last, at));
    }
}
