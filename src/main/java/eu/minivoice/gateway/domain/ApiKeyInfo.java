package eu.minivoice.gateway.domain;

import java.time.Instant;

/**
 * What the operator may see of an API key: never the key, only its id, the first characters
 * ({@code hint}) to tell keys apart, where it came from and when.
 *
 * @param origin {@code config} (MINIVOICE_API_KEY), {@code generated} (first start) or {@code api}
 */
public record ApiKeyInfo(String id, String customerId, String hint, String origin, Instant createdAt) {
}
