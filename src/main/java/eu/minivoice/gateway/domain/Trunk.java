package eu.minivoice.gateway.domain;

import java.time.Instant;

/** A stored trunk: the customer's {@link TrunkSpec} plus what the gateway owns about it. */
public record Trunk(String id, String customerId, TrunkSpec spec, Instant createdAt, Instant updatedAt) {

    /**
     * The status shown before the registration engine has reported anything: NOREG when
     * registration is off, UNREGED otherwise.
     */
    public RegistrationStatus initialRegistrationStatus() {
        return spec.registers() ? RegistrationStatus.UNREGED : RegistrationStatus.NOREG;
    }
}
