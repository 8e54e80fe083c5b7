package eu.minivoice.gateway.domain;

/**
 * The {@code call} object of the docs/product.md §6 envelope: who, where, and how far the call got.
 * {@code status} is one of initiated, ringing, answered, completed, busy, no_answer, canceled,
 * failed; {@code direction} inbound or outbound.
 */
public record CallInfo(String id, String customerId, String applicationId, String trunkId, String status,
                       String direction, String from, String to) {
}
