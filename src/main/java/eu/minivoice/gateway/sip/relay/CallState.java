package eu.minivoice.gateway.sip.relay;

/**
 * A relayed call's life. ROUTING → TRYING (an INVITE is out to a carrier) → EARLY (a provisional
 * came back) → ANSWERED → ENDED; CANCELLING when the platform gave up before an answer. ENDED is
 * final: nothing is relayed for the call any more.
 */
public enum CallState {
    ROUTING, TRYING, EARLY, ANSWERED, CANCELLING, ENDED;

    public boolean answered() {
        return this == ANSWERED;
    }
}
