package eu.minivoice.gateway.store;

import eu.minivoice.gateway.domain.CallRecord;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Call records, per customer. */
public interface CallStore {
    /** Inserts or replaces each record (by id), in one transaction. */
    void upsert(List<CallRecord> records);

    Optional<CallRecord> find(String customerId, String callId);

    /** Filters of GET /v1/calls; null = any. */
    record Query(String status, String direction, String trunkId, String from, String to, Instant createdFrom,
                 Instant createdTo, String afterId, int limit) {
    }

    /** Newest first; {@code afterId} continues after that call of an earlier page. */
    List<CallRecord> list(String customerId, Query q);
}
