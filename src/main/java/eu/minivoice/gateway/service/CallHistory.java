package eu.minivoice.gateway.service;

import eu.minivoice.gateway.domain.CallQuery;
import eu.minivoice.gateway.domain.CallRecord;
import eu.minivoice.gateway.store.CallStore;

import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * A customer's call records as the API serves them; every read is scoped by customer. One call
 * in progress on this node is read from the relay (current at once, also in the moments before its
 * first version is stored); lists and ended calls come from the store.
 */
public final class CallHistory {
    private final CallStore store;
    private final BiFunction<String, String, Optional<CallRecord>> inProgress;
    private final String nodeId;

    /**
     * @param inProgress (customer id, call id) → that customer's call in progress here, as it is now
     * @param nodeId     this node's id, which calls in progress here carry
     */
    public CallHistory(CallStore store, BiFunction<String, String, Optional<CallRecord>> inProgress, String nodeId) {
        this.store = store;
        this.inProgress = inProgress;
        this.nodeId = nodeId;
    }

    public Optional<CallRecord> find(String customerId, String callId) {
        Optional<CallRecord> live = inProgress.apply(customerId, callId);
        return live.isPresent() ? live.map(r -> r.withNode(nodeId)) : store.find(customerId, callId);
    }

    /** Newest first; {@code afterId} continues after that call of an earlier page. */
    public List<CallRecord> list(String customerId, CallQuery q) {
        return store.list(customerId, q);
    }
}
