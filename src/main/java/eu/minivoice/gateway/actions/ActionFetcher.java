package eu.minivoice.gateway.actions;

import java.util.concurrent.CompletableFuture;

/**
 * Asks a call's application what to do (docs/product.md §5/§6): sends {@code call.initiated} to its
 * {@code webhook_url} and parses the answer. The future completes within the configured action
 * timeout (plus scheduling slack) and never exceptionally: a failed fetch completes with the
 * application's fallback. The SIP side calls this and continues when the future completes, so no
 * SIP thread has to block on it.
 */
public interface ActionFetcher {
    CompletableFuture<ActionDecision> fetch(ActionRequest request);
}
