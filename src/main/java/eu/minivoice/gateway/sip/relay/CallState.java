package eu.minivoice.gateway.sip.relay;

/**
 * A relayed call's life (the table is {@link CallTransitions}; docs/relay.md has the diagram).
 * ROUTING: deciding where to go (admission, the application's actions); TRYING: an INVITE is out
 * on the callee leg; EARLY: it answered with a provisional; ANSWERED: 2xx relayed; ENDED: final,
 * nothing is relayed for the call any more.
 */
public enum CallState {
    ROUTING, TRYING, EARLY, ANSWERED, ENDED
}
