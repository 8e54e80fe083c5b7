package eu.minivoice.gateway.sip.transport;

import gov.nist.javax.sip.stack.DefaultRouter;
import gov.nist.javax.sip.stack.HopImpl;

import javax.sip.SipException;
import javax.sip.SipStack;
import javax.sip.address.Hop;
import javax.sip.address.Router;
import javax.sip.message.Request;
import java.util.ListIterator;
import java.util.concurrent.Callable;

/**
 * The stack's router ({@code javax.sip.ROUTER_PATH}): a request we located ourselves (RFC 3263, a
 * proxy name resolved through NAPTR/SRV/A, sip/dns) goes to the address we chose, while its
 * Request-URI and Route keep the name the customer wrote; everything else (in-dialog requests,
 * literal proxies) is routed by JAIN-SIP's default router as before.
 *
 * <p>The chosen hop is handed over on the sending thread: the stack asks its router inside
 * {@code getNewClientTransaction}, synchronously, so {@link #pinned} sets the hop for exactly that
 * call. CANCEL and retransmissions reuse the transaction's connection, so they follow the hop.
 */
public final class PinnedRouter implements Router {
    private final DefaultRouter fallback;
    private final ThreadLocal<Hop> pin = new ThreadLocal<>();

    /** Called by the stack (its router contract). */
    public PinnedRouter(SipStack stack, String outboundProxy) {
        this.fallback = new DefaultRouter(stack, outboundProxy);
    }

    /** Runs {@code action} (which creates the client transaction) with requests routed to the given hop. */
    public <T> T pinned(String address, int port, String transport, Callable<T> action) throws Exception {
        pin.set(new HopImpl(address, port, transport));
        try {
            return action.call();
        } finally {
            pin.remove();
        }
    }

    @Override
    public Hop getNextHop(Request request) throws SipException {
        Hop hop = pin.get();
        return hop != null ? hop : fallback.getNextHop(request);
    }

    @Override
    @SuppressWarnings({"rawtypes", "deprecation"})
    public ListIterator getNextHops(Request request) {
        return fallback.getNextHops(request);
    }

    @Override
    public Hop getOutboundProxy() {
        return fallback.getOutboundProxy();
    }
}
