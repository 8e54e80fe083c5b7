package eu.minivoice.gateway.actions;

import eu.minivoice.gateway.domain.CallInfo;

import java.util.Map;

/**
 * What the SIP side knows when it asks what to do with a new call: the call (with its
 * application), the variables so far, and extra event data (e.g. the original caller).
 */
public record ActionRequest(CallInfo call, Map<String, String> variables, Map<String, Object> data) {
    public ActionRequest {
        variables = Map.copyOf(variables);
        data = Map.copyOf(data);
    }
}
