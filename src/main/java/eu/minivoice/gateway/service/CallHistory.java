package eu.minivoice.gateway.service;

import eu.minivoice.gateway.domain.CallQuery;
import eu.minivoice.gateway.domain.CallRecord;
import eu.minivoice.gateway.store.CallStore;

import java.util.List;
import java.util.Optional;

/** A customer's call records as the API serves them; every read is scoped by customer. */
public final class CallHistory {
    private final CallStore store;

    public CallHistory(CallStore store) {
        this.store = store;
    }

    public Optional<CallRecord> find(String customerId, String callId) {
        return store.find(customerId, callId);
    }

    /** Newest first; {@code afterId} continues after that call of an earlier page. */
    public List<CallRecord> list(String customerId, CallQuery q) {
        return store.list(customerId, q);
    }
}
