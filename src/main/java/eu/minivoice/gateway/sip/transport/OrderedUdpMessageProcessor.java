package eu.minivoice.gateway.sip.transport;

import gov.nist.javax.sip.stack.SIPTransactionStack;
import gov.nist.javax.sip.stack.UDPMessageProcessor;

import java.io.IOException;
import java.net.InetAddress;

/**
 * The stack's UDP listening point with ordered dispatch: the stack's own receive thread and
 * workers (sip.threads), but its shared queue replaced by {@link CallIdLanes}, so a dialog's
 * datagrams are processed one after the other in arrival order, never by two workers at once
 * (docs/sip.md, "Threads and ordering").
 */
final class OrderedUdpMessageProcessor extends UDPMessageProcessor {
    private CallIdLanes lanes;

    OrderedUdpMessageProcessor(InetAddress address, SIPTransactionStack stack, int port) throws IOException {
        super(address, stack, port);
    }

    @Override
    public void start() throws IOException {
        // Before the workers start: they take from this field on every loop.
        lanes = new CallIdLanes(getSIPStack().getStackCongestionControlTimeout(), System::currentTimeMillis);
        messageQueue = lanes;
        super.start();
    }

    /** Datagrams dropped after waiting longer than the congestion timeout. */
    long dropped() {
        return lanes == null ? 0 : lanes.dropped();
    }
}
