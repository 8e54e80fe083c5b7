package eu.minivoice.gateway.api;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static eu.minivoice.gateway.api.Route.Access.PUBLIC;

/**
 * GET /health: 200 when every check passes (SIP listening, database reachable), else 503; 503
 * "draining" from the moment a shutdown starts draining.
 */
public final class HealthResource {
    private final Map<String, BooleanSupplier> checks;
    private final Json json;
    private final BooleanSupplier draining;

    public HealthResource(Map<String, BooleanSupplier> checks, Json json) {
        this(checks, json, () -> false);
    }

    /** @param draining true once the gateway drains (SIGTERM): 503 "draining", so balancers move traffic away */
    public HealthResource(Map<String, BooleanSupplier> checks, Json json, BooleanSupplier draining) {
        this.checks = new LinkedHashMap<>(checks);
        this.json = json;
        this.draining = draining;
    }

    public void register(Router router) {
        router.add(new Route("GET", "/health", PUBLIC, r -> health()));
    }

    private ApiResponse health() {
        ObjectNode root = json.object();
        ObjectNode results = json.object();
        boolean allUp = true;
        for (Map.Entry<String, BooleanSupplier> c : checks.entrySet()) {
            boolean up = c.getValue().getAsBoolean();
            allUp &= up;
            results.put(c.getKey(), up ? "up" : "down");
        }
        boolean drain = draining.getAsBoolean();
        root.put("status", drain ? "draining" : allUp ? "ok" : "unavailable");
        root.set("checks", results);
        return new ApiResponse(allUp && !drain ? 200 : 503, root, Map.of());
    }
}
