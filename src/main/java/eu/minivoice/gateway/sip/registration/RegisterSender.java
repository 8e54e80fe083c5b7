package eu.minivoice.gateway.sip.registration;

import eu.minivoice.gateway.sip.registration.RegistrationContext.OutgoingRegister;

/** Puts one REGISTER on the wire; the outcome comes back through the sink (on any thread). */
public interface RegisterSender {
    void send(RegistrationTarget target, OutgoingRegister request, Sink sink);

    /**
     * For a registration over TCP or TLS: whether the connection its last REGISTER used is still open.
     * Always true for other transports.
     */
    boolean connectionOpen(RegistrationTarget target);

    /** Ends the trunk's in-flight REGISTER transaction, if any (its answer is no longer awaited). */
    void abandon(RegistrationTarget target);

    interface Sink {
        void onResponse(RegistrarResponse response);

        /** @param timeout true when no final answer came in time */
        void onFailure(String reason, boolean timeout);
    }
}
