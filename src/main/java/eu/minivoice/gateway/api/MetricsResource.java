package eu.minivoice.gateway.api;

import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

import static eu.minivoice.gateway.api.Route.Access.OPERATOR;

/**
 * GET /metrics: Prometheus' text format (docs/metrics.md). Operator key only: the figures are the
 * whole gateway's, not one customer's (Prometheus sends it as a bearer token).
 */
public final class MetricsResource {
    private final Supplier<String> scrape;

    public MetricsResource(Supplier<String> scrape) {
        this.scrape = scrape;
    }

    public void register(Router router) {
        router.add(new Route("GET", "/metrics", OPERATOR, r -> ApiResponse.raw(200,
                "text/plain; version=0.0.4; charset=utf-8", scrape.get().getBytes(StandardCharsets.UTF_8))));
    }
}
