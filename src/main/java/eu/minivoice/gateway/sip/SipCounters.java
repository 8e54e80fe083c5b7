package eu.minivoice.gateway.sip;

/**
 * What the SIP side counts for the operator's metrics (docs/metrics.md). Implemented outside the
 * SIP core; every call must be cheap and never block (it runs on SIP threads).
 */
public interface SipCounters {
    /** A request arrived on a side (ACKs and retransmissions the stack absorbs are not seen here). */
    void request(SipSide side, String method);

    /** A carrier INVITE was refused before any action: {@code reason} is an error code (unknown_source, no_route, …). */
    void inboundRefused(String reason);

    /** A new call was answered 503 because the SIP workers were behind (docs/sip.md, "Overload"). */
    default void overloadRefused(SipSide side) {
    }

    SipCounters NONE = new SipCounters() {
        @Override
        public void request(SipSide side, String method) {
        }

        @Override
        public void inboundRefused(String reason) {
        }
    };
}
