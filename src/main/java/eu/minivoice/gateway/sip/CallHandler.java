package eu.minivoice.gateway.sip;

import javax.sip.RequestEvent;

/**
 * What {@link SipEdge} hands calls to (the outbound relay), so the edge does not depend on it.
 * Both methods run on a SIP stack thread and must return at once.
 */
public interface CallHandler {
    /** A new INVITE (no To tag) from a trusted platform source on the internal side. */
    void onPlatformInvite(RequestEvent event) throws Exception;

    /** An in-dialog request, CANCEL or ACK. @return false when it belongs to no call of ours */
    boolean onRequest(RequestEvent event, boolean fromPlatform) throws Exception;

    /**
     * The stack gave up on a dialog's 2xx/ACK handshake (RFC 3261 §13.3.1.4): the call it belongs
     * to ends. The edge deletes the dialog afterwards either way.
     *
     * @return false when it belongs to no call of ours
     */
    default boolean onDialogTimeout(javax.sip.Dialog dialog, javax.sip.SipProvider provider, boolean internal)
            throws Exception {
        return false;
    }
}
