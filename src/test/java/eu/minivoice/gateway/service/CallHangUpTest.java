package eu.minivoice.gateway.service;

import eu.minivoice.gateway.domain.CallControl;
import eu.minivoice.gateway.domain.CallQuery;
import eu.minivoice.gateway.domain.CallRecord;
import eu.minivoice.gateway.domain.RemoteHangUp;
import eu.minivoice.gateway.service.CallOrigination.Ending;
import eu.minivoice.gateway.store.CallStore;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which answer DELETE /v1/calls/{id} gets (docs/calls.md, docs/scale-out.md): the call here, on
 * another live node (asked, and its answer or silence), on a node that has stopped, or over.
 */
class CallHangUpTest {
    private static final String ME = "node-b";
    private static final String CUSTOMER = "cust_1";

    /** The relay of this node: ends only the calls it carries. */
    private final Set<String> carriedHere = new HashSet<>();
    private final CallControl local = new CallControl() {
        @Override
        public Placement place(Origination origination) {
            throw new UnsupportedOperationException();
        }

        @Override
        public HangUp hangUp(String customerId, String callId) {
            return carriedHere.remove(callId) ? HangUp.ENDING : HangUp.NOT_IN_PROGRESS;
        }

        @Override
        public Optional<CallRecord> inProgress(String customerId, String callId) {
            return Optional.empty();
        }
    };
    private final Map<String, CallRecord> stored = new HashMap<>();
    private final CallStore store = new CallStore() {
        @Override
        public List<String> store(List<CallRecord> fresh, List<CallRecord> changed) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<CallRecord> find(String customerId, String callId) {
            return Optional.ofNullable(stored.get(callId)).filter(r -> r.customerId().equals(customerId));
        }

        @Override
        public int endUnfinished(Instant now) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int endLeftOpenBy(String otherNodeId, Instant now) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<CallRecord> list(String customerId, CallQuery q) {
            throw new UnsupportedOperationException();
        }
    };

    /** Other nodes: which are live, what each answers (absent: silence). */
    private final Set<String> live = new HashSet<>();
    private final Map<String, CallControl.HangUp> answers = new HashMap<>();
    private final List<String> asked = new ArrayList<>();
    private final RemoteHangUp remote = new RemoteHangUp() {
        @Override
        public boolean live(String nodeId) {
            return live.contains(nodeId);
        }

        @Override
        public CompletableFuture<CallControl.HangUp> ask(String nodeId, String customerId, String callId,
                                                         Duration within) {
            asked.add(nodeId + " " + customerId + " " + callId);
            CallControl.HangUp a = answers.get(nodeId);
            return a != null ? CompletableFuture.completedFuture(a)
                    : CompletableFuture.failedFuture(new java.util.concurrent.TimeoutException());
        }
    };

    private final CallOrigination calls = new CallOrigination(local, uri -> CompletableFuture.completedFuture(uri),
            () -> -1, new CallHistory(store, local::inProgress, ME), remote, ME);

    private void record(String id, String status, String node) {
        stored.put(id, new CallRecord(id, CUSTOMER, "outbound", status, "+15551230001", "+15551230002", null, null,
                null, null, null, null, null, null, List.of(), Instant.EPOCH, null, null, node));
    }

    @Test
    void aCallCarriedHereIsEndedHereWithoutAskingAnyone() {
        carriedHere.add("call_here");
        assertEquals(Ending.ENDING, calls.hangUp(CUSTOMER, "call_here"));
        assertTrue(asked.isEmpty());
    }

    @Test
    void aCallOnAnotherLiveNodeIsEndedByAskingThatNode() {
        record("call_there", "answered", "node-a");
        live.add("node-a");
        answers.put("node-a", CallControl.HangUp.ENDING);
        assertEquals(Ending.ENDING, calls.hangUp(CUSTOMER, "call_there"));
        assertEquals(List.of("node-a cust_1 call_there"), asked);
    }

    @Test
    void theOtherNodeFindingTheCallOverIsAConflict() {
        record("call_ended_meanwhile", "ringing", "node-a");
        live.add("node-a");
        answers.put("node-a", CallControl.HangUp.NOT_IN_PROGRESS);
        assertEquals(Ending.NOT_IN_PROGRESS, calls.hangUp(CUSTOMER, "call_ended_meanwhile"));
    }

    @Test
    void aSilentNodeIsReportedAsNotAnswering() {
        record("call_silent", "answered", "node-a");
        live.add("node-a");
        assertEquals(Ending.NODE_NOT_ANSWERING, calls.hangUp(CUSTOMER, "call_silent"));
    }

    @Test
    void aCallOfAStoppedNodeIsOverAndNobodyIsAsked() {
        record("call_orphan", "answered", "node-gone");
        assertEquals(Ending.NODE_GONE, calls.hangUp(CUSTOMER, "call_orphan"));
        assertTrue(asked.isEmpty());
    }

    @Test
    void endedCallsAndOtherCustomersCallsAreNeverPassedOn() {
        live.add("node-a");
        answers.put("node-a", CallControl.HangUp.ENDING);
        record("call_done", "completed", "node-a");
        assertEquals(Ending.NOT_IN_PROGRESS, calls.hangUp(CUSTOMER, "call_done"));
        record("call_mine_here", "answered", ME);
        assertEquals(Ending.NOT_IN_PROGRESS, calls.hangUp(CUSTOMER, "call_mine_here"),
                "a record of this node whose call is not in its memory is over (its last version not stored yet)");
        record("call_old", "answered", null);
        assertEquals(Ending.NOT_IN_PROGRESS, calls.hangUp(CUSTOMER, "call_old"));
        record("call_theirs", "answered", "node-a");
        assertEquals(Ending.NO_SUCH_CALL, calls.hangUp("cust_2", "call_theirs"));
        assertEquals(Ending.NO_SUCH_CALL, calls.hangUp(CUSTOMER, "call_nothing"));
        assertTrue(asked.isEmpty(), asked.toString());
    }
}
