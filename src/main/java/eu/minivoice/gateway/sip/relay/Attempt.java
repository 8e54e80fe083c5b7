package eu.minivoice.gateway.sip.relay;

import java.util.LinkedHashMap;
import java.util.Map;

/** One try of a call: a trunk or a forward target, its answer and latency. Kept on the call and in its events. */
record Attempt(String trunkId, String target, Integer code, String error, long latencyMillis) {
    static final String TRUNK_LIMIT = "trunk limit reached";

    static Attempt onTrunk(String trunkId, Integer code, String error, long latencyMillis) {
        return new Attempt(trunkId, null, code, error, latencyMillis);
    }

    static Attempt toTarget(String target, Integer code, String error, long latencyMillis) {
        return new Attempt(null, target, code, error, latencyMillis);
    }

    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (target != null) {
            m.put("target", target); // a forward action's platform URI
        } else {
            m.put("trunk_id", trunkId);
        }
        m.put("sip_code", code);
        m.put("error", error);
        m.put("latency_ms", latencyMillis);
        return m;
    }
}
