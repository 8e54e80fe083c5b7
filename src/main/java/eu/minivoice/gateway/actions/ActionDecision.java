package eu.minivoice.gateway.actions;

import java.util.List;

/**
 * What to do with a call: the webhook's actions, or the fallback with the reason. Always complete
 * — the SIP side never has to handle "no decision".
 *
 * @param eventId       the {@code call.initiated} event the decision answered
 * @param httpStatus    the webhook's status, null when none was received
 * @param fallbackReason null when the webhook's own actions are used
 * @param detail        human text for the event data and logs (null on success)
 */
public record ActionDecision(List<Action> actions, String eventId, Integer httpStatus, long latencyMillis,
                             FallbackReason fallbackReason, String detail) {
    public ActionDecision {
        actions = List.copyOf(actions);
    }

    public boolean usedFallback() {
        return fallbackReason != null;
    }
}
