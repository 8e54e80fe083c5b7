package eu.minivoice.gateway.domain;

import java.time.Instant;

/** A filter over a customer's call records (GET /v1/calls): every field optional but the limit. */
public record CallQuery(String status, String direction, String trunkId, String from, String to, Instant createdFrom,
                        Instant createdTo, String afterId, int limit) {
}
