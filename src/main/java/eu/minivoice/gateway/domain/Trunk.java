package eu.minivoice.gateway.domain;

import java.time.Instant;

/**
 * A stored trunk: the customer's {@link TrunkSpec} plus what the gateway owns about it, such as
 * when each inbound range was claimed ({@link InboundClaims}).
 */
public record Trunk(String id, String customerId, TrunkSpec spec, Instant createdAt, Instant updatedAt,
                    InboundClaims inboundClaims) {

    /** A trunk whose every inbound range was claimed when it was created. */
    public Trunk(String id, String customerId, TrunkSpec spec, Instant createdAt, Instant updatedAt) {
        this(id, customerId, spec, createdAt, updatedAt, InboundClaims.initial(spec.inboundIp(), createdAt));
    }

    /**
     * The status shown before the registration engine has reported anything: NOREG when
     * registration is off, UNREGED otherwise.
     */
    public RegistrationStatus initialRegistrationStatus() {
        return spec.registers() ? RegistrationStatus.UNREGED : RegistrationStatus.NOREG;
    }
}
