package eu.minivoice.gateway.sip.registration;

import eu.minivoice.gateway.domain.RegistrationStatus;

import java.time.Duration;
import java.time.Instant;

/**
 * What a {@link Registration} may do to the world: read the clock, set timers, send a REGISTER,
 * report a status change. The engine implements it on one thread; tests implement it by hand and
 * fire timers themselves.
 */
public interface RegistrationContext {
    Instant now();

    Cancellable schedule(Duration delay, Runnable task);

    /** Sends one REGISTER; its outcome comes back as onResponse/onFailure with the same attempt. */
    void send(Registration registration, OutgoingRegister request);

    /** The in-flight REGISTER is given up: its transaction may stop retransmitting. */
    void abandon(Registration registration);

    void statusChanged(Registration registration, RegistrationStatus from, RegistrationStatus to, String reason);

    /** Uniform in [0, 1), for jitter. */
    double random();

    /** A fresh client nonce for Digest. */
    String cnonce();

    interface Cancellable {
        void cancel();
    }

    /**
     * @param authorization a Digest header value, or null
     * @param proxyAuthorization true: send it as Proxy-Authorization (answer to a 407)
     */
    record OutgoingRegister(long attempt, long cseq, int expires, String authorization, boolean proxyAuthorization) {
    }
}
