package eu.minivoice.gateway.sip.transport;

import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.stack.DatagramQueuedMessageDispatch;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import gov.nist.javax.sip.stack.UDPMessageChannel;
import gov.nist.javax.sip.stack.UDPMessageProcessor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.SocketException;
import java.util.Arrays;
import java.util.LinkedList;

/**
 * The stack's UDP listening point with ordered dispatch: the stack's own workers (sip.threads),
 * but its shared queue replaced by {@link CallIdLanes}, so a dialog's datagrams are processed one
 * after the other in arrival order, never by two workers at once (docs/sip.md, "Threads and
 * ordering"). Its receive loop reads into one reused buffer and queues an exact-size copy: the
 * stock loop allocated a buffer of sip.max_message_bytes (16 KiB) for every datagram, 29 % of the
 * gateway's allocation in the relay profile.
 */
final class OrderedUdpMessageProcessor extends UDPMessageProcessor {
    private static final Logger log = LoggerFactory.getLogger(OrderedUdpMessageProcessor.class);
    private static final int MAX_ERRORS_LOGGED = 10;
    /** Datagrams waiting for a worker, at most: ~50 MB of 1 KB messages; far beyond a healthy backlog. */
    static final int MAX_QUEUED = 50_000;

    private final int workers;
    private int errorsLogged;

    OrderedUdpMessageProcessor(InetAddress address, SIPTransactionStack stack, int port, int workers)
            throws IOException {
        super(address, stack, port);
        this.workers = workers;
    }

    @Override
    public void start() throws IOException {
        // Before the workers start: they take from this field on every loop.
        CallIdLanes<gov.nist.javax.sip.stack.DatagramQueuedMessageDispatch> lanes =
                CallIdLanes.forDatagrams(MAX_QUEUED, getSIPStack().getStackCongestionControlTimeout(), System::currentTimeMillis);
        messageQueue = lanes;
        if (getSIPStack() instanceof GatewaySipStack g) {
            g.addQueue(lanes::delayMillis);
        }
        super.start(); // runs run() below on the stack's receive thread
    }

    @Override
    @SuppressWarnings("unchecked")
    public void run() {
        messageChannels = new LinkedList<>();
        String name = ((SipStackImpl) getSIPStack()).getStackName() + "-UDPMessageChannelThread-";
        for (int i = 0; i < workers; i++) {
            messageChannels.add(new Worker(getSIPStack(), this, name + i));
        }
        byte[] buffer = new byte[getMaximumMessageSize()];
        DatagramPacket received = new DatagramPacket(buffer, buffer.length);
        while (isRunning) {
            try {
                received.setLength(buffer.length);
                sock.receive(received);
                byte[] message = Arrays.copyOf(buffer, received.getLength());
                messageQueue.offer(new DatagramQueuedMessageDispatch(
                        new DatagramPacket(message, message.length, received.getAddress(), received.getPort()),
                        System.currentTimeMillis()));
            } catch (SocketException e) {
                if (!isRunning) {
                    return; // stop() closed the socket
                }
                logError(e);
            } catch (IOException | RuntimeException e) {
                logError(e);
            }
        }
    }

    private void logError(Exception e) {
        if (errorsLogged < MAX_ERRORS_LOGGED) {
            errorsLogged++;
            log.warn("UDP receive on port {} failed ({}{}); going on", getPort(), e.toString(),
                    errorsLogged == MAX_ERRORS_LOGGED ? "; no more of these will be logged" : "");
        }
    }

    /** One of the stack's UDP workers: its constructor starts its thread, which takes from the lanes. */
    private static final class Worker extends UDPMessageChannel {
        Worker(SIPTransactionStack stack, UDPMessageProcessor processor, String threadName) {
            super(stack, processor, threadName);
        }
    }
}
