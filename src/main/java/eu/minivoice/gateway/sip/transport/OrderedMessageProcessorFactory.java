package eu.minivoice.gateway.sip.transport;

import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.stack.MessageProcessor;
import gov.nist.javax.sip.stack.MessageProcessorFactory;
import eu.minivoice.gateway.sip.net.GatewayNetworkLayer;
import gov.nist.javax.sip.stack.SIPTransactionStack;

import javax.sip.ListeningPoint;
import java.io.IOException;
import java.net.InetAddress;

/**
 * The stack's {@code MESSAGE_PROCESSOR_FACTORY}: UDP listening points with per-Call-ID ordered
 * dispatch ({@link OrderedUdpMessageProcessor}); TCP and TLS listening points on Netty
 * ({@link StreamMessageProcessor}), all of a stack's sharing one {@link StreamTransport}. The stack
 * makes one factory per stack.
 *
 * <p>Relies on JAIN-SIP 1.3.0-91 internals (the UDP processor's protected queue and the stack's
 * package-private {@code udpFlag}); {@code SipTransportInternalsTest} fails on another version.
 */
public final class OrderedMessageProcessorFactory implements MessageProcessorFactory {
    static final String THREADS = "gov.nist.javax.sip.THREAD_POOL_SIZE";
    static final String MAX_MESSAGE_SIZE = "gov.nist.javax.sip.MAX_MESSAGE_SIZE";
    /** Our own stack properties: the TCP/TLS limits (sip.tcp_* in the configuration). */
    public static final String TCP_MAX_CONNECTIONS = "eu.minivoice.sip.TCP_MAX_CONNECTIONS";
    public static final String TCP_MAX_CONNECTIONS_PER_ADDRESS = "eu.minivoice.sip.TCP_MAX_CONNECTIONS_PER_ADDRESS";
    public static final String TCP_IDLE_TIMEOUT_SECONDS = "eu.minivoice.sip.TCP_IDLE_TIMEOUT_SECONDS";
    public static final String TCP_MESSAGE_READ_TIMEOUT_SECONDS = "eu.minivoice.sip.TCP_MESSAGE_READ_TIMEOUT_SECONDS";

    private StreamTransport streams;

    @Override
    public MessageProcessor createMessageProcessor(SIPTransactionStack stack, InetAddress address, int port,
                                                   String transport) throws IOException {
        if (transport.equalsIgnoreCase(ListeningPoint.TCP) || transport.equalsIgnoreCase(ListeningPoint.TLS)) {
            if (!(((SipStackImpl) stack).getNetworkLayer() instanceof GatewayNetworkLayer network)) {
                throw new IOException("TCP/TLS need the gateway's NETWORK_LAYER (" + GatewayNetworkLayer.class.getName() + ")");
            }
            return new StreamMessageProcessor(address, stack, port, transport, streams(stack), network);
        }
        if (!transport.equalsIgnoreCase(ListeningPoint.UDP)) {
            throw new IOException("transport " + transport + " is not supported");
        }
        OrderedUdpMessageProcessor p = new OrderedUdpMessageProcessor(address, stack, port, workers(stack));
        sendFromListeningSockets(stack);
        return p;
    }

    private synchronized StreamTransport streams(SIPTransactionStack stack) {
        if (streams == null) {
            java.util.Properties p = ((SipStackImpl) stack).getConfigurationProperties();
            streams = new StreamTransport(new StreamTransport.Settings(workers(stack),
                    Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors())),
                    number(p, TCP_MAX_CONNECTIONS, 20_000), number(p, TCP_MAX_CONNECTIONS_PER_ADDRESS, 256),
                    number(p, TCP_IDLE_TIMEOUT_SECONDS, 300), number(p, TCP_MESSAGE_READ_TIMEOUT_SECONDS, 20),
                    number(p, MAX_MESSAGE_SIZE, 65_536),
                    ((SipStackImpl) stack).getStackName()));
            if (stack instanceof GatewaySipStack g) {
                g.addQueue(streams::delayMillis);
            }
        }
        return streams;
    }

    private static int number(java.util.Properties p, String name, int otherwise) {
        String v = p.getProperty(name);
        return v == null || v.isBlank() ? otherwise : Integer.parseInt(v.trim());
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
