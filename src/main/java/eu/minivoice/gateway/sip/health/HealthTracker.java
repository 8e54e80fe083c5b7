package eu.minivoice.gateway.sip.health;

import eu.minivoice.gateway.domain.TrunkHealth;

/**
 * OPTIONS ping results to UP/DOWN with hysteresis, so one lost datagram does not flap a trunk:
 * UNKNOWN → UP on the first answer; → DOWN after {@code downAfter} consecutive misses;
 * DOWN → UP only after {@code upAfter} consecutive answers.
 */
final class HealthTracker {
    private final int downAfter;
    private final int upAfter;
    private TrunkHealth state = TrunkHealth.UNKNOWN;
    private int answered;
    private int missed;

    HealthTracker(int downAfter, int upAfter) {
        this.downAfter = downAfter;
        this.upAfter = upAfter;
    }

    TrunkHealth state() {
        return state;
    }

    /** @return the new state when this answer changed it, else null */
    TrunkHealth answered() {
        missed = 0;
        answered++;
        TrunkHealth next = state == TrunkHealth.DOWN ? (answered >= upAfter ? TrunkHealth.UP : TrunkHealth.DOWN)
                : TrunkHealth.UP;
        return change(next);
    }

    /** @return the new state when this miss changed it, else null */
    TrunkHealth missed() {
        answered = 0;
        missed++;
        return change(missed >= downAfter ? TrunkHealth.DOWN : state);
    }

    private TrunkHealth change(TrunkHealth next) {
        if (next == state) {
            return null;
        }
        state = next;
        return next;
    }
}
