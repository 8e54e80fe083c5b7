package eu.minivoice.gateway.actions;

import java.util.List;
import java.util.Map;

/**
 * One step of a call's routing, as a webhook answers it (docs/product.md §6). Run in order until one ends
 * the routing: {@link Reject} and {@link Redirect} always end it; {@link Forward} and {@link Dial}
 * end it when the call is answered, otherwise the next action runs; {@link SetVariables} never does.
 */
public sealed interface Action {
    /** The JSON {@code type}. */
    String type();

    /** Whether this action can route the call (a list without one is refused). */
    default boolean routes() {
        return true;
    }

    /** To the platform: one SIP URI, or several tried one after another, each for {@code timeoutSeconds}. */
    record Forward(List<String> targets, int timeoutSeconds) implements Action {
        public Forward {
            targets = List.copyOf(targets);
        }

        @Override
        public String type() {
            return "forward";
        }
    }

    /** Out through a trunk to a number (inbound-to-PSTN forwarding); null trunk: the usual selection. */
    record Dial(String to, String trunkId, String callerId, int timeoutSeconds) implements Action {
        @Override
        public String type() {
            return "dial";
        }
    }

    record Reject(int status, String reason) implements Action {
        @Override
        public String type() {
            return "reject";
        }
    }

    /** 302 with this Contact. */
    record Redirect(String to) implements Action {
        @Override
        public String type() {
            return "redirect";
        }
    }

    /** Variables carried in the {@code variables} of every later event of the call. */
    record SetVariables(Map<String, String> variables) implements Action {
        public SetVariables {
            variables = Map.copyOf(variables);
        }

        @Override
        public String type() {
            return "set";
        }

        @Override
        public boolean routes() {
            return false;
        }
    }
}
