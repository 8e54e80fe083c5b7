package eu.minivoice.gateway.metrics;

import eu.minivoice.gateway.domain.CallInfo;
import eu.minivoice.gateway.domain.CallRecord;
import eu.minivoice.gateway.sip.relay.CallObserver;

import java.util.Map;

/** Counts calls from their records for the metrics, then hands everything on unchanged. */
public final class MetricsCallObserver implements CallObserver {
    private final CallObserver next;
    private final GatewayMetrics metrics;

    public MetricsCallObserver(CallObserver next, GatewayMetrics metrics) {
        this.next = next;
        this.metrics = metrics;
    }

    @Override
    public void callEvent(String type, CallInfo call, Map<String, Object> data) {
        next.callEvent(type, call, data);
    }

    @Override
    public void callEvent(String type, CallInfo call, Map<String, String> variables, Map<String, Object> data) {
        next.callEvent(type, call, variables, data);
    }

    @Override
    public void recordChanged(CallRecord record) {
        metrics.callRecord(record);
        next.recordChanged(record);
    }
}
