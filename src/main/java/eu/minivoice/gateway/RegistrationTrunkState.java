package eu.minivoice.gateway;

import eu.minivoice.gateway.domain.RegistrationSnapshot;
import eu.minivoice.gateway.domain.RegistrationStatus;
import eu.minivoice.gateway.domain.TrunkHealth;
import eu.minivoice.gateway.routing.OutboundRouter;
import eu.minivoice.gateway.sip.registration.RegistrationEngine;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * The outbound router asks the registration engine what it knows of a trunk (registration and
 * keep-alive health). The engine starts after the router, so it is looked up on each question:
 * before it exists, nothing is known.
 */
final class RegistrationTrunkState implements OutboundRouter.TrunkState {
    private final Supplier<RegistrationEngine> engine;

    RegistrationTrunkState(Supplier<RegistrationEngine> engine) {
        this.engine = engine;
    }

    @Override
    public Optional<RegistrationStatus> registration(String trunkId) {
        RegistrationEngine e = engine.get();
        return e == null ? Optional.empty() : e.snapshot(trunkId).map(RegistrationSnapshot::status);
    }

    @Override
    public Optional<TrunkHealth> health(String trunkId) {
        RegistrationEngine e = engine.get();
        return e == null ? Optional.empty() : e.health(trunkId);
    }
}
