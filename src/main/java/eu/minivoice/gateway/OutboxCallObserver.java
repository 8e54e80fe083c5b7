package eu.minivoice.gateway;

import eu.minivoice.gateway.domain.CallInfo;
import eu.minivoice.gateway.domain.CallRecord;
import eu.minivoice.gateway.events.CallEvents;
import eu.minivoice.gateway.events.Outbox;
import eu.minivoice.gateway.service.CallRecorder;
import eu.minivoice.gateway.sip.relay.CallObserver;

import java.time.Clock;
import java.util.Map;

/** What the relay reports goes to the durable outbox (events) and the call recorder (records); neither blocks. */
final class OutboxCallObserver implements CallObserver {
    private final Outbox outbox;
    private final CallEvents events;
    private final CallRecorder recorder;
    private final Clock clock;

    OutboxCallObserver(Outbox outbox, CallEvents events, CallRecorder recorder, Clock clock) {
        this.outbox = outbox;
        this.events = events;
        this.recorder = recorder;
        this.clock = clock;
    }

    @Override
    public void callEvent(String type, CallInfo call, Map<String, Object> data) {
        callEvent(type, call, Map.of(), data);
    }

    @Override
    public void callEvent(String type, CallInfo call, Map<String, String> variables, Map<String, Object> data) {
        outbox.publish(events.event(type, call, variables, data, clock.instant()));
    }

    @Override
    public void recordChanged(CallRecord record) {
        recorder.accept(record);
    }
}
