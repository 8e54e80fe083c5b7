package eu.minivoice.gateway.domain;

import java.time.Instant;

/** A tenant. Every resource belongs to exactly one customer. */
public record Customer(String id, String name, Instant createdAt) {
}
