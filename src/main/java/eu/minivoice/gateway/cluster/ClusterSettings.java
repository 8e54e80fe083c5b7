package eu.minivoice.gateway.cluster;

import java.time.Duration;

/**
 * @param heartbeat how often a node renews its heartbeat and leases and looks at the others
 * @param leaseTtl  how long a lease and a heartbeat stay valid unrenewed: a node silent this
 *                  long is lost and its trunks are taken over
 * @param reconcile how often a node reloads every trunk, number, application and customer, in
 *                  case it missed a change notification
 * @param startupSpread trunks a node takes while it starts register spread over this window (as
 *                  alone: registration.startup_spread_seconds), not all in the same second;
 *                  trunks taken over later register at once
 */
public record ClusterSettings(Duration heartbeat, Duration leaseTtl, Duration reconcile, Duration startupSpread) {
    public ClusterSettings {
        if (leaseTtl.compareTo(heartbeat.multipliedBy(3)) < 0) {
            throw new IllegalArgumentException("the lease must outlast at least three heartbeats");
        }
    }

    /**
     * A node stops registering this long after its last successful renewal started: a quarter of
     * the lease before any other node may take its trunks, so there is never a second owner.
     */
    public Duration selfFence() {
        return leaseTtl.minus(leaseTtl.dividedBy(4));
    }
}
