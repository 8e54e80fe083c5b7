package eu.minivoice.gateway.sip.transport;

import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.stack.MessageProcessor;
import gov.nist.javax.sip.stack.MessageProcessorFactory;
import gov.nist.javax.sip.stack.OIOMessageProcessorFactory;
import gov.nist.javax.sip.stack.SIPTransactionStack;

import javax.sip.ListeningPoint;
import java.io.IOException;
import java.net.InetAddress;

/**
 * The stack's {@code MESSAGE_PROCESSOR_FACTORY}: UDP listening points with per-Call-ID ordered
 * dispatch ({@link OrderedUdpMessageProcessor}); TCP and TLS as the stack makes them (their reader
 * thread per connection already keeps a connection's messages in order).
 *
 * <p>Relies on JAIN-SIP 1.3.0-91 internals (the UDP processor's protected queue and the stack's
 * package-private {@code udpFlag}); {@code SipTransportInternalsTest} fails on another version.
 */
public final class OrderedMessageProcessorFactory implements MessageProcessorFactory {
    static final String THREADS = "gov.nist.javax.sip.THREAD_POOL_SIZE";

    private final OIOMessageProcessorFactory stock = new OIOMessageProcessorFactory();

    @Override
    public MessageProcessor createMessageProcessor(SIPTransactionStack stack, InetAddress address, int port,
                                                   String transport) throws IOException {
        if (!transport.equalsIgnoreCase(ListeningPoint.UDP)) {
            return stock.createMessageProcessor(stack, address, port, transport);
        }
        OrderedUdpMessageProcessor p = new OrderedUdpMessageProcessor(address, stack, port, workers(stack));
        sendFromListeningSockets(stack);
        return p;
    }

    /** sip.threads: the fixed pool of workers that take the lanes. */
    private static int workers(SIPTransactionStack stack) {
        String v = ((SipStackImpl) stack).getConfigurationProperties().getProperty(THREADS);
        int n = v == null ? -1 : Integer.parseInt(v.trim());
        if (n < 1) {
            throw new IllegalArgumentException(THREADS + " must be at least 1 for ordered UDP dispatch");
        }
        return n;
    }

    /**
     * What the stock factory does for UDP: the stack then sends from the listening socket (same
     * source port as we listen on) instead of a new socket per datagram. The flag is not public.
     */
    static void sendFromListeningSockets(SIPTransactionStack stack) {
        try {
            java.lang.reflect.Field f = SIPTransactionStack.class.getDeclaredField("udpFlag");
            f.setAccessible(true);
            f.setBoolean(stack, true);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("JAIN-SIP changed: SIPTransactionStack.udpFlag not found", e);
        }
    }
}
