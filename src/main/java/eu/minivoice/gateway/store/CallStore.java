package eu.minivoice.gateway.store;

import eu.minivoice.gateway.domain.CallRecord;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Call records, per customer. */
public interface CallStore {
    /**
     * Stores versions of calls in one transaction: {@code fresh} ones (never stored before) are
     * inserted, falling back to an update when the id exists; {@code changed} ones are updated.
     * An update only touches the row of the same customer; a version whose id belongs to another
     * customer's call is skipped and returned (never overwritten).
     *
     * @return the ids that could not be stored because another customer holds them
     */
    List<String> store(List<CallRecord> fresh, List<CallRecord> changed);

    Optional<CallRecord> find(String customerId, String callId);

    /**
     * Ends the records this node's previous run left open (it stopped or died with calls up):
     * answered ones "completed", others "failed", with reason and hang-up side saying so and
     * {@code now} as their end. Records written before node ids were stored count as this node's.
     *
     * @return how many were ended
     */
    int endUnfinished(Instant now);

    /**
     * Ends the records another node left open (it went silent: docs/scale-out.md), as
     * {@link #endUnfinished} does with reason and error code {@code node_lost}. @return how many
     */
    int endLeftOpenBy(String otherNodeId, Instant now);

    /** Filters of GET /v1/calls; null = any. */
    /** Newest first; {@code afterId} continues after that call of an earlier page. */
    List<CallRecord> list(String customerId, eu.minivoice.gateway.domain.CallQuery q);
}
