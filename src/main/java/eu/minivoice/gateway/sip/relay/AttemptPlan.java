package eu.minivoice.gateway.sip.relay;

/**
 * What comes after a callee attempt failed: the next trunk ({@link TrunkFailover}: outbound
 * failover, an inbound dial action) or the next forward target and then the application's next
 * action ({@link ForwardHunt}, {@link ActionProgram}). {@link CalleeAttempts} knows only this, so
 * attempts and the action runner do not depend on each other.
 */
interface AttemptPlan {
    /**
     * The callee leg's attempt is over without an answer: it is recorded in the call's attempts
     * and its trunk slot is released already. Runs under the call's monitor.
     */
    void attemptFailed(RelayCall call, Leg leg, int code, String reason) throws Exception;
}
