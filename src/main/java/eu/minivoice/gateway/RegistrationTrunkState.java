package eu.minivoice.gateway;

import eu.minivoice.gateway.domain.RegistrationSnapshot;
import eu.minivoice.gateway.domain.RegistrationStatus;
import eu.minivoice.gateway.domain.RegistrationView;
import eu.minivoice.gateway.domain.TrunkHealth;
import eu.minivoice.gateway.routing.OutboundRouter;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * The outbound router asks what is known of a trunk's registration and keep-alive health (this
 * node's engine, or in a cluster the owning node's state). The view exists only once the engine
 * has started, after the router, so it is looked up on each question: before, nothing is known.
 */
final class RegistrationTrunkState implements OutboundRouter.TrunkState {
    private final Supplier<RegistrationView> engine;

    RegistrationTrunkState(Supplier<RegistrationView> engine) {
        this.engine = engine;
    }

    @Override
    public Optional<RegistrationStatus> registration(String trunkId) {
        RegistrationView e = engine.get();
        return e == null ? Optional.empty() : e.snapshot(trunkId).map(RegistrationSnapshot::status);
    }

    @Override
    public Optional<TrunkHealth> health(String trunkId) {
        RegistrationView e = engine.get();
        return e == null ? Optional.empty() : e.health(trunkId);
    }
}
