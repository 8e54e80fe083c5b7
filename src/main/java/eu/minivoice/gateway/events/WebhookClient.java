package eu.minivoice.gateway.events;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * POSTs JSON to a webhook. The future completes within about {@code timeout} and never
 * exceptionally: every failure is an {@link HttpOutcome} with its {@link HttpOutcome.Failure}.
 * Redirects are never followed. At most {@code maxBodyBytes} of the answer are read.
 */
public interface WebhookClient extends AutoCloseable {
    CompletableFuture<HttpOutcome> post(URI url, Map<String, String> headers, byte[] body, Duration timeout,
                                        int maxBodyBytes);

    @Override
    void close();
}
