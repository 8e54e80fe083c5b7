package eu.minivoice.gateway.cluster;

import eu.minivoice.gateway.domain.RegistrationSnapshot;
import eu.minivoice.gateway.domain.RegistrationView;
import eu.minivoice.gateway.domain.TrunkHealth;

import java.util.List;
import java.util.Optional;

/** A node alone on its database (the embedded H2): it owns every trunk that registers or is pinged. */
public final class LocalRegistrationView implements RegistrationView {
    private final String nodeId;
    private final RegistrationView engine;

    public LocalRegistrationView(String nodeId, RegistrationView engine) {
        this.nodeId = nodeId;
        this.engine = engine;
    }

    @Override
    public Optional<RegistrationSnapshot> snapshot(String trunkId) {
        return engine.snapshot(trunkId);
    }

    @Override
    public Optional<TrunkHealth> health(String trunkId) {
        return engine.health(trunkId);
    }

    @Override
    public List<RegisterTransaction> timeline(String trunkId) {
        return engine.timeline(trunkId);
    }

    @Override
    public Optional<String> owner(String trunkId) {
        return Optional.of(nodeId);
    }
}
