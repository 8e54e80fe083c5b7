package eu.minivoice.gateway.domain;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Ends a call carried by another gateway node (docs/scale-out.md): the SIP dialogs of a call live
 * in the memory of the node that relays it, so only that node can send its BYEs or CANCELs.
 */
public interface RemoteHangUp {
    /** Whether {@code nodeId} was live at this node's last look (a lost node's calls are over). */
    boolean live(String nodeId);

    /**
     * Asks {@code nodeId} to end the customer's call; completes with that node's answer, or
     * exceptionally (a {@link java.util.concurrent.TimeoutException}) when none came within {@code within}.
     */
    CompletableFuture<CallControl.HangUp> ask(String nodeId, String customerId, String callId, Duration within);

    /** A gateway alone on its database: there is no other node to ask. */
    RemoteHangUp NONE = new RemoteHangUp() {
        @Override
        public boolean live(String nodeId) {
            return false;
        }

        @Override
        public CompletableFuture<CallControl.HangUp> ask(String nodeId, String customerId, String callId,
                                                         Duration within) {
            return CompletableFuture.completedFuture(CallControl.HangUp.NOT_IN_PROGRESS);
        }
    };
}
