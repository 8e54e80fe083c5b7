package eu.minivoice.gateway.sip.registration;

import java.time.Duration;

/**
 * The registration engine's knobs (config section {@code registration}).
 *
 * @param answerTimeout   how long a REGISTER may wait for a final answer before TIMEOUT
 * @param backoffMin      first FAIL_WAIT delay; doubles per consecutive failure
 * @param backoffMax      cap of the FAIL_WAIT delay (and of an honoured Retry-After)
 * @param failedRetry     delay after FAILED (403, rejected credentials): long, but never "give up"
 * @param startupSpread   first REGISTERs at start-up are spread uniformly over this window
 * @param timelineSize    REGISTER transactions kept per trunk for the timeline
 * @param pingTimeout     how long an OPTIONS ping waits for any answer
 * @param pingDownAfter   consecutive unanswered pings that make a trunk DOWN
 * @param pingUpAfter     consecutive answered pings that bring a DOWN trunk back UP
 * @param connectionCheck how often registrations over TCP check that their connection is open
 */
public record RegistrationSettings(Duration answerTimeout, Duration backoffMin, Duration backoffMax,
                                   Duration failedRetry, Duration startupSpread, int timelineSize,
                                   Duration pingTimeout, int pingDownAfter, int pingUpAfter,
                                   Duration connectionCheck) {
}
