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
}
