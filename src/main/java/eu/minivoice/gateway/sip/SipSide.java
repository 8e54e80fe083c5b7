package eu.minivoice.gateway.sip;

/** Which listening point a message arrived on. */
public enum SipSide {
    /** Carrier-facing (default port 5060): anyone may send, only matched trunks get service. */
    EXTERNAL,
    /** Platform-facing (default port 5080): only sources in sip.trusted_cidrs. */
    INTERNAL
}
