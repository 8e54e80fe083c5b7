package eu.minivoice.gateway.cluster;

import eu.minivoice.gateway.domain.RegistrationSnapshot;
import eu.minivoice.gateway.domain.RegistrationView;
import eu.minivoice.gateway.domain.TrunkHealth;
import eu.minivoice.gateway.store.ClusterStore.TrunkStateRow;

import java.util.List;
import java.util.Optional;

/**
 * A trunk's registration as every node shows it: from this node's engine when this node owns the
 * trunk, else as the owning node last wrote it (at most one heartbeat old; the REGISTER timeline
 * read from the database when asked for).
 */
public final class SharedRegistrationView implements RegistrationView {
    private final ClusterNode node;
    private final RegistrationView local;

    public SharedRegistrationView(ClusterNode node, RegistrationView local) {
        this.node = node;
        this.local = local;
    }

    @Override
    public Optional<RegistrationSnapshot> snapshot(String trunkId) {
        if (node.owns(trunkId)) {
            return local.snapshot(trunkId);
        }
        return node.sharedState(trunkId).map(TrunkStateRow::registration);
    }

    @Override
    public Optional<TrunkHealth> health(String trunkId) {
        if (node.owns(trunkId)) {
            return local.health(trunkId);
        }
        return node.sharedState(trunkId).map(TrunkStateRow::health);
    }

    @Override
    public List<RegisterTransaction> timeline(String trunkId) {
        if (node.owns(trunkId)) {
            return local.timeline(trunkId);
        }
        try {
            return node.sharedTimeline(trunkId);
        } catch (RuntimeException e) {
            // The database is down: the status (from memory) is still shown, without transactions.
            return List.of();
        }
    }

    @Override
    public Optional<String> owner(String trunkId) {
        if (node.owns(trunkId)) {
            return Optional.of(node.nodeId());
        }
        return node.sharedState(trunkId).map(TrunkStateRow::nodeId);
    }
}
