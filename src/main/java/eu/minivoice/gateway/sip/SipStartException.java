package eu.minivoice.gateway.sip;

/** The SIP stack or a listening point could not be started (port in use, bad address). */
public final class SipStartException extends Exception {
    private final boolean portInUse;

    public SipStartException(String message, boolean portInUse, Throwable cause) {
        super(message, cause);
        this.portInUse = portInUse;
    }

    public boolean portInUse() {
        return portInUse;
    }
}
