package eu.minivoice.gateway.actions;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Vets the SIP targets of a call's actions before they run (docs/security.md): forward and
 * redirect targets may not be, or resolve to, private or special addresses. A forward target named
 * by a host name comes back pinned to the address that was checked, so nothing resolves it again
 * later (no DNS rebinding, and no DNS wait on a SIP thread).
 */
public interface TargetCheck {
    /**
     * @return the actions to run (forward targets pinned to checked addresses); completes
     * exceptionally with {@link InvalidActionsException} naming the refused target. Never waits on
     * the calling thread.
     */
    CompletableFuture<List<Action>> vet(List<Action> actions);

    /** Lets every target through unchanged (for tests of other parts). */
    TargetCheck NONE = CompletableFuture::completedFuture;
}
