package eu.minivoice.gateway.cluster;

import eu.minivoice.gateway.domain.CallControl;
import eu.minivoice.gateway.domain.RemoteHangUp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * DELETE /v1/calls/{id} on any node (docs/scale-out.md): the node asked passes the hang-up to the
 * node that carries the call as a message on the change feed's channel, and that node answers
 * with what it did. Both messages are best effort (a node whose listening connection is down
 * misses them), so the asking side always bounds its wait and says so when it ran out.
 *
 * <p>Messages: {@code call.hangup  request from to customer call} and
 * {@code call.hangup.done  request to outcome}. The customer comes from the authenticated request
 * on the asking node, and the carrying node ends the call only if it is that customer's: a
 * message can never end another tenant's call.
 */
public final class NodeHangUps implements RemoteHangUp {
    private static final Logger log = LoggerFactory.getLogger(NodeHangUps.class);
    static final String ASK = "call.hangup";
    static final String DONE = "call.hangup.done";

    private final String nodeId;
    private final ChangeFeed feed;
    private final CallControl local;
    private final Predicate<String> live;
    private final Supplier<String> requestIds;
    private final Map<String, CompletableFuture<CallControl.HangUp>> waiting = new ConcurrentHashMap<>();

    /**
     * @param local      this node's calls (the relay), for hang-ups asked by other nodes
     * @param live       whether a node is live (the cluster's last heartbeat view)
     * @param requestIds unique ids that pair an answer with its question
     */
    public NodeHangUps(String nodeId, ChangeFeed feed, CallControl local, Predicate<String> live,
                       Supplier<String> requestIds) {
        this.nodeId = nodeId;
        this.feed = feed;
        this.local = local;
        this.live = live;
        this.requestIds = requestIds;
        feed.onSignal(ASK, this::asked);
        feed.onSignal(DONE, this::answered);
    }

    @Override
    public boolean live(String node) {
        return live.test(node);
    }

    @Override
    public CompletableFuture<CallControl.HangUp> ask(String node, String customerId, String callId, Duration within) {
        String request = requestIds.get();
        CompletableFuture<CallControl.HangUp> answer = new CompletableFuture<>();
        waiting.put(request, answer);
        answer.whenComplete((outcome, error) -> waiting.remove(request));
        answer.orTimeout(within.toMillis(), TimeUnit.MILLISECONDS);
        try {
            feed.signal(ASK, List.of(request, nodeId, node, customerId, callId));
        } catch (RuntimeException e) {
            answer.completeExceptionally(e);
        }
        return answer;
    }

    /** Feed thread: a node asks for a call to be ended; only the node that carries it acts. */
    private void asked(List<String> f) {
        if (f.size() != 5 || !f.get(2).equals(nodeId)) {
            return;
        }
        String request = f.get(0);
        String from = f.get(1);
        CallControl.HangUp outcome;
        try {
            // Non-blocking: the relay hands the BYEs/CANCELs to the SIP transport.
            outcome = local.hangUp(f.get(3), f.get(4));
        } catch (RuntimeException e) {
            log.warn("call {}: hang-up asked by node {} failed: {}", f.get(4), from, e.toString());
            outcome = CallControl.HangUp.NOT_IN_PROGRESS;
        }
        log.info("call {}: hang-up asked by node {}: {}", f.get(4), from, outcome);
        feed.signal(DONE, List.of(request, from, outcome.name()));
    }

    /** Feed thread: the carrying node's answer to one of this node's questions. */
    private void answered(List<String> f) {
        if (f.size() != 3 || !f.get(1).equals(nodeId)) {
            return;
        }
        CompletableFuture<CallControl.HangUp> answer = waiting.get(f.get(0));
        if (answer == null) {
            return; // answered after the asker stopped waiting
        }
        try {
            answer.complete(CallControl.HangUp.valueOf(f.get(2)));
        } catch (IllegalArgumentException e) {
            answer.completeExceptionally(e);
        }
    }
}
