package eu.minivoice.gateway.domain;

import java.time.Instant;

/** What the API shows of a trunk's registration at one moment (all but status may be null). */
public record RegistrationSnapshot(RegistrationStatus status, Integer lastCode, String lastReason,
                                   Instant expiresAt, Instant lastRegisteredAt, Instant nextAttemptAt) {
}
