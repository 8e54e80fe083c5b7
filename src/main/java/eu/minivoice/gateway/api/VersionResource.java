package eu.minivoice.gateway.api;

import com.fasterxml.jackson.databind.node.ObjectNode;

import static eu.minivoice.gateway.api.Route.Access.OPERATOR;

/**
 * GET /version (operator key): what runs here — the gateway's version, this node's id, the Java
 * runtime. Operator only: a version tells an attacker which weaknesses to try.
 */
public final class VersionResource {
    private final String version;
    private final String nodeId;
    private final Json json;

    public VersionResource(String version, String nodeId, Json json) {
        this.version = version;
        this.nodeId = nodeId;
        this.json = json;
    }

    public void register(Router router) {
        router.add(new Route("GET", "/version", OPERATOR, r -> {
            ObjectNode root = json.object();
            ObjectNode data = root.putObject("data");
            data.put("version", version);
            data.put("node_id", nodeId);
            data.put("java", Runtime.version().toString());
            return ApiResponse.ok(root);
        }));
    }
}
