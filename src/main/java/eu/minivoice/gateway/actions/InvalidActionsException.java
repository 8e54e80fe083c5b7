package eu.minivoice.gateway.actions;

/** An action list that cannot be run; the message names the place, e.g. {@code actions[1].to: …}. */
public final class InvalidActionsException extends Exception {
    public InvalidActionsException(String message) {
        super(message);
    }
}
