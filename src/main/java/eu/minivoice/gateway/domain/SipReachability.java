package eu.minivoice.gateway.domain;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** Sends an OPTIONS to a proxy and reports the answer; implemented by the SIP side. */
public interface SipReachability {
    /**
     * An OPTIONS to the proxy; never blocks the caller (the answer, or why there is none, completes
     * the future). @param owner the customer the probe is for (the unit of fairness for connects)
     */
    CompletableFuture<ProbeResult> options(String owner, ProxyAddress proxy, Duration timeout);
}
