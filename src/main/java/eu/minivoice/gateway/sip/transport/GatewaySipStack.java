package eu.minivoice.gateway.sip.transport;

import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.stack.SIPDialog;
import gov.nist.javax.sip.stack.SIPServerTransaction;
import gov.nist.javax.sip.stack.SIPTransaction;
import gov.nist.javax.sip.message.SIPResponse;
import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.ServerResponseInterface;

import javax.sip.PeerUnavailableException;
import java.util.Properties;

/**
 * JAIN-SIP's stack with one change: a response whose RFC 3261 branch matches no client
 * transaction is handed on as a stray at once. The stock stack then compares it with every client
 * transaction in turn (lower-casing strings for each): under load — when retransmitted 2xx to
 * INVITEs that already completed come back by the thousand — that scan took 45 % of the gateway's
 * CPU in the relay benchmark and turned an overload into a collapse (docs/PERFORMANCE.md). An
 * RFC 3261 branch is unique by construction, so a failed lookup by it is final; pre-RFC 3261
 * branches still get the scan. And server-side dialogs are {@link AckRecordingDialog}s, which
 * record an ACK that races the sending of their 2xx.
 */
public final class GatewaySipStack extends SipStackImpl {
    private static final String RFC3261_BRANCH = "z9hg4bk";

    /** The dispatch queues of this stack's transports (UDP listening points, the stream workers). */
    private final java.util.List<java.util.function.LongSupplier> queueDelays = new java.util.concurrent.CopyOnWriteArrayList<>();

    public GatewaySipStack(Properties properties) throws PeerUnavailableException {
        super(properties);
    }

    /** A transport's dispatch queue: its delay counts in {@link #queueDelayMillis()}. */
    void addQueue(java.util.function.LongSupplier delayMillis) {
        queueDelays.add(delayMillis);
    }

    /** How far behind the SIP workers are: the longest wait of a message just taken, over all transports. */
    public long queueDelayMillis() {
        long max = 0;
        for (java.util.function.LongSupplier d : queueDelays) {
            max = Math.max(max, d.getAsLong());
        }
        return max;
    }

    @Override
    public SIPDialog createDialog(SIPTransaction transaction) {
        // Client dialogs keep the stock path (its early-dialog table); a server dialog is always new.
        return transaction instanceof SIPServerTransaction ? new AckRecordingDialog(transaction)
                : super.createDialog(transaction);
    }

    @Override
    public ServerResponseInterface newSIPServerResponse(SIPResponse response, MessageChannel channel) {
        String key = response.getTransactionId();
        if (sipMessageValves.isEmpty() && key != null && key.startsWith(RFC3261_BRANCH)
                && findTransaction(key, false) == null) {
            // What the stock method does when its scan finds nothing: straight to the dialog layer
            // (a retransmitted 2xx is ACKed again there) and the listener.
            return sipMessageFactory.newSIPServerResponse(response, channel);
        }
        return super.newSIPServerResponse(response, channel);
    }

    /** Dialogs the stack holds now, confirmed and early (terminated ones until their linger ends). */
    public int dialogCount() {
        return dialogTable.size() + earlyDialogTable.size();
    }
}
