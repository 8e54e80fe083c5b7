package eu.minivoice.gateway.domain;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** Sends an OPTIONS to a proxy and reports the answer; implemented by the SIP side. */
public interface SipReachability {
    CompletableFuture<ProbeResult> options(ProxyAddress proxy, Duration timeout);
}
