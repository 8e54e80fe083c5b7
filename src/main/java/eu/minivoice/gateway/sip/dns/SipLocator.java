package eu.minivoice.gateway.sip.dns;

import eu.minivoice.gateway.domain.ProxyAddress;
import eu.minivoice.gateway.domain.SipTarget;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where requests to a carrier proxy go (RFC 3263 §4): the targets in the order to try them, the
 * next one after a timeout, a transport error or a 503 of the previous. Never waits: the answer
 * completes later, on a thread of the locator's own.
 */
public interface SipLocator {
    /** @return at least one target; completes exceptionally (UnknownHostException) when there is none */
    CompletableFuture<List<SipTarget>> locate(ProxyAddress proxy);
}
