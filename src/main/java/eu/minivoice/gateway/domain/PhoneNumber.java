package eu.minivoice.gateway.domain;

import java.time.Instant;

/**
 * A customer's DID in E.164. Its inbound calls go to {@code applicationId} (none: 404); the same
 * list is the set of caller IDs the customer may present outbound. {@code trunkId} ties the
 * number to the trunk it lives on (used for inbound matching and as the default outbound trunk).
 */
public record PhoneNumber(String id, String customerId, String number, String applicationId, String trunkId,
                          Instant createdAt, Instant updatedAt) {
}
