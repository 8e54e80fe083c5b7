package eu.minivoice.gateway.domain;

import java.time.Instant;

/**
 * A customer's DID in E.164. Its inbound calls go to {@code applicationId} (none: 404); the same
 * list is the set of caller IDs the customer may present outbound. {@code trunkId} ties the
 * number to the trunk it lives on (used for inbound matching and as the default outbound trunk).
 * {@code verified}: the operator checked that the number is this customer's; nobody else may add
 * it, and it decides calls from a carrier address several customers share (docs/security.md).
 */
public record PhoneNumber(String id, String customerId, String number, String applicationId, String trunkId,
                          Instant createdAt, Instant updatedAt, boolean verified) {

    /** A number the operator has not verified. */
    public PhoneNumber(String id, String customerId, String number, String applicationId, String trunkId,
                       Instant createdAt, Instant updatedAt) {
        this(id, customerId, number, applicationId, trunkId, createdAt, updatedAt, false);
    }

    public PhoneNumber withVerified(boolean v, Instant now) {
        return new PhoneNumber(id, customerId, number, applicationId, trunkId, createdAt, now, v);
    }
}
