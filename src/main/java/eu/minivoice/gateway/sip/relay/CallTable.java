package eu.minivoice.gateway.sip.relay;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The calls in progress, by the SIP Call-ID of each leg (to find the call of an in-dialog request)
 * and by MiniVoice call id (a platform-chosen id must not be in use). Entries are removed with
 * {@code remove(key, call)}, so a call never removes another's entry.
 */
final class CallTable {
    private final Map<String, RelayCall> byCallerCallId = new ConcurrentHashMap<>();
    private final Map<String, RelayCall> byCalleeCallId = new ConcurrentHashMap<>();
    private final Map<String, RelayCall> byId = new ConcurrentHashMap<>();

    /** A request's call and the leg it came from (found under the call's monitor). */
    record Found(RelayCall call, boolean fromCallerLeg) {
    }

    int active() {
        return byCallerCallId.size();
    }

    /** Every call in progress now (a copy). */
    java.util.List<RelayCall> all() {
        return java.util.List.copyOf(byId.values());
    }

    /** @return false when a call with this id is already in progress */
    boolean claimId(RelayCall call) {
        return byId.putIfAbsent(call.id, call) == null;
    }

    /** The call in progress with this MiniVoice id, or null. */
    RelayCall byId(String id) {
        return byId.get(id);
    }

    void addCaller(RelayCall call) {
        byCallerCallId.put(call.caller.callId, call);
    }

    void addCallee(RelayCall call, Leg leg) {
        byCalleeCallId.put(leg.callId, call);
    }

    void removeCallee(RelayCall call, Leg leg) {
        if (leg != null) {
            byCalleeCallId.remove(leg.callId, call);
        }
    }

    /** The call's caller leg and id entries (its callee leg's goes when that leg is done). */
    void remove(RelayCall call) {
        byCallerCallId.remove(call.caller.callId, call);
        byId.remove(call.id, call);
    }

    /** The call a request with this Call-ID belongs to, when it came from that leg's side. */
    Found find(String callId, boolean fromInternal) {
        RelayCall call = byCallerCallId.get(callId);
        if (call != null && call.caller.internal == fromInternal) {
            return new Found(call, true);
        }
        call = byCalleeCallId.get(callId);
        // A callee leg is always on the other side from the caller.
        return call == null || call.caller.internal == fromInternal ? null : new Found(call, false);
    }
}
