package eu.minivoice.gateway.sip.relay;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import static eu.minivoice.gateway.sip.relay.CallState.ANSWERED;
import static eu.minivoice.gateway.sip.relay.CallState.EARLY;
import static eu.minivoice.gateway.sip.relay.CallState.ENDED;
import static eu.minivoice.gateway.sip.relay.CallState.ROUTING;
import static eu.minivoice.gateway.sip.relay.CallState.TRYING;

/**
 * The legal transitions of a call (docs/relay.md has the diagram). Anything else is a bug:
 * {@link RelayCall#setState} throws, and the relay unit tests drive every path.
 *
 * <pre>
 * ROUTING  → TRYING (an attempt is sent), ROUTING (the next action), ENDED (refused, rejected, canceled)
 * TRYING   → EARLY, ANSWERED, TRYING (the next trunk or target), ROUTING (the next action), ENDED
 * EARLY    → ANSWERED, TRYING (the next target of a hunt), ROUTING (the next action), ENDED
 * ANSWERED → ENDED (a hang-up, the maximum duration)
 * ENDED    → nothing
 * </pre>
 */
final class CallTransitions {
    private static final Map<CallState, Set<CallState>> ALLOWED = new EnumMap<>(CallState.class);

    static {
        ALLOWED.put(ROUTING, EnumSet.of(TRYING, ROUTING, ENDED));
        ALLOWED.put(TRYING, EnumSet.of(EARLY, ANSWERED, TRYING, ROUTING, ENDED));
        ALLOWED.put(EARLY, EnumSet.of(ANSWERED, TRYING, ROUTING, ENDED));
        ALLOWED.put(ANSWERED, EnumSet.of(ENDED));
        ALLOWED.put(ENDED, EnumSet.noneOf(CallState.class));
    }

    private CallTransitions() {
    }

    static boolean allowed(CallState from, CallState to) {
        return ALLOWED.get(from).contains(to);
    }
}
