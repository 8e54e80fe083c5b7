package eu.minivoice.gateway.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.minivoice.gateway.actions.Action;
import eu.minivoice.gateway.actions.ActionDecision;
import eu.minivoice.gateway.actions.ActionFetcher;
import eu.minivoice.gateway.actions.ActionParser;
import eu.minivoice.gateway.actions.ActionRequest;
import eu.minivoice.gateway.actions.FallbackReason;
import eu.minivoice.gateway.actions.InvalidActionsException;
import eu.minivoice.gateway.actions.TargetCheck;
import eu.minivoice.gateway.domain.Application;
import eu.minivoice.gateway.domain.Delivery;
import eu.minivoice.gateway.domain.StoredEvent;
import eu.minivoice.gateway.domain.TargetKind;
import eu.minivoice.gateway.domain.WebhookUrl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The action fetch (docs/product.md §5/§6): POSTs {@code call.initiated}, signed like every delivery, to
 * the application's {@code webhook_url} and turns the answer into actions; on a timeout, a
 * connection or TLS error, a non-2xx status, a too large or non-JSON answer, or invalid actions,
 * the application's {@code fallback_action} (default: reject 503) with the reason. The outcome is
 * stored with the event ({@code data.action}) and as an {@code action} delivery, visible in
 * GET /v1/events. Never retried: the call cannot wait.
 */
public final class HttpActionFetcher implements ActionFetcher {
    private static final Logger log = LoggerFactory.getLogger(HttpActionFetcher.class);
    public static final String EVENT = "call.initiated";
    /** When an application has no fallback_action: the carrier may try its next route. */
    public static final List<Action> DEFAULT_FALLBACK = List.of(new Action.Reject(503, "Service Unavailable"));

    private final WebhookDirectory directory;
    private final WebhookClient client;
    private final Outbox outbox;
    private final CallEvents events;
    private final ActionParser parser;
    private final ObjectMapper json;
    private final Duration timeout;
    private final int maxResponseBytes;
    private final int maxInFlight;
    private final Clock clock;
    private final TargetCheck targets;
    private final AtomicInteger inFlight = new AtomicInteger();

    public HttpActionFetcher(WebhookDirectory directory, WebhookClient client, Outbox outbox, CallEvents events,
                             ActionParser parser, ObjectMapper json, Duration timeout, int maxResponseBytes,
                             int maxInFlight, Clock clock, TargetCheck targets) {
        this.targets = targets;
        this.directory = directory;
        this.client = client;
        this.outbox = outbox;
        this.events = events;
        this.parser = parser;
        this.json = json;
        this.timeout = timeout;
        this.maxResponseBytes = maxResponseBytes;
        this.maxInFlight = maxInFlight;
        this.clock = clock;
    }

    @Override
    public CompletableFuture<ActionDecision> fetch(ActionRequest request) {
        Instant start = clock.instant();
        long t0 = System.nanoTime();
        ObjectNode envelope = events.envelope(EVENT, request.call(), request.variables(), request.data(), start);
        String eventId = envelope.get("id").asText();
        Optional<Application> found = directory.application(request.call().applicationId())
                .filter(a -> a.customerId().equals(request.call().customerId()));
        if (found.isEmpty()) {
            ActionDecision d = new ActionDecision(DEFAULT_FALLBACK, eventId, null, 0, FallbackReason.NO_APPLICATION,
                    "application " + request.call().applicationId() + " does not exist");
            record(request, envelope, d, null);
            return CompletableFuture.completedFuture(d);
        }
        Application app = found.get();
        if (inFlight.incrementAndGet() > maxInFlight) {
            inFlight.decrementAndGet();
            ActionDecision d = fallback(app, eventId, null, 0, FallbackReason.OVERLOADED,
                    maxInFlight + " action fetches already in flight");
            return vetted(app, d).thenApply(v -> {
                record(request, envelope, v, null);
                return v;
            });
        }
        byte[] body = events.text(envelope).getBytes(StandardCharsets.UTF_8);
        String deliveryId = outbox.newDeliveryId();
        Map<String, String> headers = Map.of("X-MiniVoice-Event", EVENT, "X-MiniVoice-Delivery", deliveryId,
                Signer.HEADER, Signer.header(app.webhookSecret(), start.getEpochSecond(), body));
        return client.post(URI.create(app.webhookUrl()), headers, body, timeout, maxResponseBytes)
                .handle((outcome, error) -> outcome != null ? outcome
                        : HttpOutcome.failed(HttpOutcome.Failure.PROTOCOL, String.valueOf(error)))
                .thenCompose(o -> {
                    inFlight.decrementAndGet();
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    return vetted(app, decide(app, eventId, o, ms)).thenApply(d -> {
                        Instant now = clock.instant();
                        Delivery fetch = Delivery.pending(0, deliveryId, eventId, app.customerId(), TargetKind.ACTION,
                                app.id(), app.webhookUrl(), WebhookUrl.endpoint(app.webhookUrl()),
                                request.call().id(), start);
                        fetch = d.usedFallback() ? fetch.failed(o.status(), fallbackText(d), now)
                                : fetch.delivered(o.status(), now);
                        record(request, envelope, d, fetch);
                        return d;
                    });
                });
    }

    /**
     * The decision with its SIP targets vetted (docs/security.md): a refused target makes the
     * webhook's answer invalid (the fallback runs); a refused target in the fallback itself leaves
     * the default fallback.
     */
    private CompletableFuture<ActionDecision> vetted(Application app, ActionDecision d) {
        return targets.vet(d.actions()).handle((actions, error) -> {
            if (error == null) {
                return CompletableFuture.completedFuture(new ActionDecision(actions, d.eventId(), d.httpStatus(),
                        d.latencyMillis(), d.fallbackReason(), d.detail()));
            }
            Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            String why = String.valueOf(cause.getMessage());
            if (d.usedFallback()) {
                log.warn("application {}: fallback_action refused ({}); using the default", app.id(), why);
                return CompletableFuture.completedFuture(new ActionDecision(DEFAULT_FALLBACK, d.eventId(), d.httpStatus(),
                        d.latencyMillis(), d.fallbackReason(), d.detail() + "; fallback_action refused: " + why));
            }
            return vetted(app, fallback(app, d.eventId(), d.httpStatus(), d.latencyMillis(),
                    FallbackReason.INVALID_ACTIONS, why));
        }).thenCompose(f -> f);
    }

    ActionDecision decide(Application app, String eventId, HttpOutcome o, long ms) {
        if (o.failure() != null) {
            FallbackReason r = o.failure() == HttpOutcome.Failure.TIMEOUT ? FallbackReason.TIMEOUT
                    : FallbackReason.CONNECTION_ERROR;
            return fallback(app, eventId, null, ms, r, o.describe());
        }
        if (!o.is2xx()) {
            return fallback(app, eventId, o.status(), ms, FallbackReason.HTTP_STATUS, o.describe());
        }
        if (o.truncated()) {
            return fallback(app, eventId, o.status(), ms, FallbackReason.TOO_LARGE,
                    "answer larger than " + maxResponseBytes + " bytes");
        }
        JsonNode root;
        try {
            root = o.body().length == 0 ? null : json.readTree(o.body());
        } catch (IOException e) {
            root = null;
        }
        if (root == null || root.isMissingNode()) {
            return fallback(app, eventId, o.status(), ms, FallbackReason.INVALID_JSON, "answer is not JSON");
        }
        try {
            return new ActionDecision(parser.parseAnswer(root), eventId, o.status(), ms, null, null);
        } catch (InvalidActionsException e) {
            return fallback(app, eventId, o.status(), ms, FallbackReason.INVALID_ACTIONS, e.getMessage());
        }
    }

    private ActionDecision fallback(Application app, String eventId, Integer status, long ms, FallbackReason reason,
                                    String detail) {
        List<Action> actions = DEFAULT_FALLBACK;
        if (app.fallbackAction() != null) {
            try {
                actions = parser.parseFallback(json.readTree(app.fallbackAction()));
            } catch (IOException | InvalidActionsException e) {
                // Validated when saved; a stored value that no longer parses is a bug, not a reason to drop the call.
                log.error("application {}: stored fallback_action unusable ({}); using the default", app.id(),
                        e.getMessage());
            }
        }
        log.info("call action for application {}: fallback ({}: {})", app.id(), reason.token(), detail);
        return new ActionDecision(actions, eventId, status, ms, reason, detail);
    }

    private static String fallbackText(ActionDecision d) {
        return "fallback used (" + d.fallbackReason().token() + "): " + d.detail();
    }

    /** Stores call.initiated with the outcome in data.action, and the fetch as an action delivery. */
    private void record(ActionRequest request, ObjectNode envelope, ActionDecision d, Delivery fetch) {
        ObjectNode action = ((ObjectNode) envelope.get("data")).putObject("action");
        action.put("source", d.usedFallback() ? "fallback" : "webhook");
        action.put("http_status", d.httpStatus());
        action.put("latency_ms", d.latencyMillis());
        action.set("actions", json.valueToTree(d.actions().stream().map(Action::type).toList()));
        if (d.usedFallback()) {
            action.putObject("error").put("code", d.fallbackReason().token()).put("message", d.detail());
        }
        StoredEvent event = events.stored(request.call(), envelope);
        boolean accepted = fetch == null ? outbox.publish(event) : outbox.publishAfterFetch(event, fetch);
        if (!accepted) {
            log.warn("call {}: call.initiated not stored (outbox full)", request.call().id());
        }
    }
}
