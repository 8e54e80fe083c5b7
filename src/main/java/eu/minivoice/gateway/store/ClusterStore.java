package eu.minivoice.gateway.store;

import eu.minivoice.gateway.domain.RegistrationSnapshot;
import eu.minivoice.gateway.domain.RegistrationView;
import eu.minivoice.gateway.domain.TrunkHealth;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * What gateway nodes sharing one database tell each other (docs/scale-out.md): who is live,
 * who owns which trunk, the trunks' registration state, and that something changed. Every time
 * here is the database's clock, so nodes' own clocks never decide who owns what.
 */
public interface ClusterStore {
    /** @param usage the node's call-limit usage as it wrote it (see ClusterNode), may be null */
    record NodeRow(String id, Instant startedAt, Instant seenAt, Instant lostAt, String usage) {
    }

    /**
     * A trunk's state as its owner wrote it; registration and health may each be null. The
     * timeline is written with the state but not read with it (null in rows read: {@link #timeline}).
     */
    record TrunkStateRow(String trunkId, String nodeId, RegistrationSnapshot registration, TrunkHealth health,
                         Instant updatedAt, List<RegistrationView.RegisterTransaction> timeline) {
    }

    /** This node is live (clears a lost mark), using {@code usage} now. @return the database's clock */
    Instant heartbeat(String nodeId, String usage);

    List<NodeRow> nodes();

    /**
     * Marks a node lost when its last heartbeat is older than {@code silence}; true for the one
     * caller that marked it (that caller cleans up after it).
     */
    boolean markLost(String nodeId, Duration silence);

    /**
     * One round of lease keeping, in one transaction: drops the {@code release}d leases, renews
     * every other lease of the node for {@code ttl}, takes each {@code claim}ed trunk whose lease
     * is free or expired. @return the trunks leased to the node afterwards
     */
    Set<String> keepLeases(String nodeId, Collection<String> release, Collection<String> claim, Duration ttl);

    /** A node stopping: drops its leases and dates its heartbeat back so others take over now. */
    void leave(String nodeId, Duration silence);

    void writeStates(String nodeId, Collection<TrunkStateRow> rows);

    /** States written at or after {@code since} (without their timelines). */
    List<TrunkStateRow> statesSince(Instant since);

    /** A trunk's REGISTER timeline as its owner last wrote it (empty when none was written). */
    List<RegistrationView.RegisterTransaction> timeline(String trunkId);

    /** Tells every node listening that {@code payload} changed (after the change committed). */
    void announce(String channel, String payload);
}
