package eu.minivoice.gateway.sip.relay;

import eu.minivoice.gateway.domain.CallInfo;

import java.util.Map;

/**
 * Told about every call event (call.initiated … call.failed) with the call as it is now and the
 * event data. Implementations must return at once (the relay calls it on SIP threads); the
 * gateway hands it to the outbox, which never blocks.
 */
public interface CallObserver {
    void callEvent(String type, CallInfo call, Map<String, Object> data);

    /** With the call's variables (set actions); by default they are dropped. */
    default void callEvent(String type, CallInfo call, Map<String, String> variables, Map<String, Object> data) {
        callEvent(type, call, data);
    }

    /** The call's record changed (started, answered, ended): store it (never blocking). */
    default void recordChanged(eu.minivoice.gateway.domain.CallRecord record) {
    }
}
