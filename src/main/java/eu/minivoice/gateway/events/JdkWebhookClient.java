package eu.minivoice.gateway.events;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;

/**
 * {@link WebhookClient} on the JDK's asynchronous {@link HttpClient}: no thread per request, HTTP/1.1
 * keep-alive per endpoint, redirects never followed (a webhook must not be bounced to another host
 * with the signed body), and the answer read only up to a limit (a huge answer costs nothing).
 */
public final class JdkWebhookClient implements WebhookClient {
    private static final String USER_AGENT = "MiniVoice-Webhooks/1.0";

    private final ExecutorService executor;
    private final HttpClient http;

    public JdkWebhookClient(Duration connectTimeout, int threads) {
        if (java.util.concurrent.ForkJoinPool.getCommonPoolParallelism() < 2) {
            org.slf4j.LoggerFactory.getLogger(JdkWebhookClient.class).warn("ForkJoinPool common parallelism is {}:"
                    + " the JDK HTTP client will start a thread per webhook answer; run with"
                    + " -Djava.util.concurrent.ForkJoinPool.common.parallelism=2 (java -jar does this itself)",
                    java.util.concurrent.ForkJoinPool.getCommonPoolParallelism());
        }
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "webhook-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(connectTimeout)
                .executor(executor)
                .build();
    }

    @Override
    public CompletableFuture<HttpOutcome> post(URI url, Map<String, String> headers, byte[] body, Duration timeout,
                                               int maxBodyBytes) {
        HttpRequest.Builder request = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("User-Agent", USER_AGENT)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        CompletableFuture<HttpResponse<Capped>> sent;
        try {
            sent = http.sendAsync(request.build(), info -> new CappedBody(maxBodyBytes));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(HttpOutcome.failed(HttpOutcome.Failure.PROTOCOL, e.getMessage()));
        }
        // The request timeout covers the wait for the status line; this one also bounds a slow body.
        return sent.orTimeout(timeout.toMillis() + 50, TimeUnit.MILLISECONDS).handle((response, error) -> {
            if (error != null) {
                sent.cancel(true);
                return classify(error, timeout);
            }
            Capped c = response.body();
            return HttpOutcome.answered(response.statusCode(), c.bytes(), c.truncated(),
                    response.headers().firstValue("Retry-After").orElse(null),
                    response.headers().firstValue("Location").orElse(null));
        });
    }

    static HttpOutcome classify(Throwable error, Duration timeout) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof java.util.concurrent.ExecutionException)
                && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof HttpConnectTimeoutException) {
            return HttpOutcome.failed(HttpOutcome.Failure.TIMEOUT, "connect took longer than allowed");
        }
        if (e instanceof HttpTimeoutException || e instanceof TimeoutException) {
            return HttpOutcome.failed(HttpOutcome.Failure.TIMEOUT, "no complete answer within " + timeout.toMillis() + " ms");
        }
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof SSLException) {
                return HttpOutcome.failed(HttpOutcome.Failure.TLS, String.valueOf(c.getMessage()));
            }
        }
        if (e instanceof ConnectException || e instanceof UnknownHostException) {
            String m = e.getMessage();
            return HttpOutcome.failed(HttpOutcome.Failure.CONNECTION,
                    m == null || m.isEmpty() ? e.getClass().getSimpleName() : m);
        }
        if (e instanceof IOException) {
            return HttpOutcome.failed(HttpOutcome.Failure.CONNECTION, e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
        return HttpOutcome.failed(HttpOutcome.Failure.PROTOCOL, e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }

    /** An answer body as read: at most the limit, and whether there was more. */
    record Capped(byte[] bytes, boolean truncated) {
    }

    /** Reads up to {@code max} bytes, then cancels the rest of the body (the connection is dropped). */
    static final class CappedBody implements HttpResponse.BodySubscriber<Capped> {
        private final int max;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final CompletableFuture<Capped> result = new CompletableFuture<>();
        private Flow.Subscription subscription;

        CappedBody(int max) {
            this.max = max;
        }

        @Override
        public CompletionStage<Capped> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer b : items) {
                int room = max - out.size();
                if (b.remaining() > room) {
                    byte[] part = new byte[room];
                    b.get(part);
                    out.write(part, 0, part.length);
                    subscription.cancel();
                    result.complete(new Capped(out.toByteArray(), true));
                    return;
                }
                byte[] all = new byte[b.remaining()];
                b.get(all);
                out.write(all, 0, all.length);
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(new Capped(out.toByteArray(), false));
        }
    }
}
