package eu.minivoice.gateway.sip.transport;

import gov.nist.javax.sip.stack.SIPDialog;
import gov.nist.javax.sip.stack.SIPServerTransaction;
import gov.nist.javax.sip.stack.SIPTransaction;

import javax.sip.message.Response;

/**
 * A server-side dialog that never loses the ACK of its 2xx to a race in JAIN-SIP 1.3.0-91.
 *
 * <p>The stock dialog finds the INVITE transaction an ACK belongs to through its 2xx
 * retransmission timer, and {@code SIPServerTransactionImpl.sendResponse} starts that timer only
 * after the 2xx is on the wire. An ACK processed on another worker in between — the caller's ACK
 * on its own Call-ID lane while the relay is still sending the 200 from the other leg's lane — is
 * handed to the application but not recorded ({@code tr is null -- not updating the ack state}):
 * the timer then retransmits the 2xx, and had the caller not ACKed again, the stack would have
 * reported an ACK timeout 32 s later. Here an ACK the stock dialog passed on without recording is
 * recorded again once the timer exists, whichever thread gets there last. Only public methods of
 * the stock dialog are used; {@code SipTransportInternalsTest} pins them.
 */
final class AckRecordingDialog extends SIPDialog {
    private final Object ackLock = new Object();
    /** An ACK passed on before the retransmission timer existed (guarded by {@link #ackLock}). */
    private SIPServerTransaction ackBeforeTimer;

    AckRecordingDialog(SIPTransaction transaction) {
        super(transaction);
    }

    @Override
    public boolean handleAck(SIPServerTransaction ack) {
        boolean passedOn = super.handleAck(ack);
        if (passedOn && !isAckSeen()) {
            synchronized (ackLock) {
                if (getInviteTransaction() == null) {
                    ackBeforeTimer = ack; // the sending thread records it once its timer is started
                    return true;
                }
            }
            super.handleAck(ack); // the timer was started meanwhile: record it now
        }
        return passedOn;
    }

    @Override
    public void startRetransmitTimer(SIPServerTransaction transaction, Response response) {
        super.startRetransmitTimer(transaction, response);
        SIPServerTransaction early;
        synchronized (ackLock) {
            early = ackBeforeTimer;
            ackBeforeTimer = null;
        }
        if (early != null && !isAckSeen()) {
            super.handleAck(early);
        }
    }
}
