package eu.minivoice.gateway.sip;

import javax.sip.RequestEvent;

/**
 * What {@link SipEdge} hands a new carrier INVITE (external side, no To tag) to: inbound
 * matching and routing. Runs on a SIP stack thread and must return at once.
 */
public interface CarrierInviteHandler {
    void onCarrierInvite(RequestEvent event) throws Exception;
}
