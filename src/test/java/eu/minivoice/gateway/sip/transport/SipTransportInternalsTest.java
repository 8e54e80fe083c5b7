package eu.minivoice.gateway.sip.transport;

import gov.nist.javax.sip.stack.SIPTransactionStack;
import gov.nist.javax.sip.stack.UDPMessageProcessor;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.lang.reflect.Modifier;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the ordered UDP dispatch relies on in JAIN-SIP 1.3.0-91: the version itself (from the
 * jar's Maven coordinates), the UDP processor's replaceable queue and the stack's UDP flag. An
 * upgrade fails here first; re-check {@link OrderedUdpMessageProcessor} against the new sources.
 */
class SipTransportInternalsTest {
    @Test
    void theStackIsTheVersionTheDispatchWasWrittenFor() throws Exception {
        Properties p = new Properties();
        try (InputStream in = SIPTransactionStack.class.getResourceAsStream(
                "/META-INF/maven/javax.sip/jain-sip-ri/pom.properties")) {
            p.load(in);
        }
        assertEquals("1.3.0-91", p.getProperty("version"));
    }

    @Test
    void theInternalsTheDispatchUsesAreWhereItExpectsThem() throws Exception {
        var queue = UDPMessageProcessor.class.getDeclaredField("messageQueue");
        assertTrue(Modifier.isProtected(queue.getModifiers()));
        assertEquals(BlockingQueue.class, queue.getType());
        var flag = SIPTransactionStack.class.getDeclaredField("udpFlag");
        assertEquals(boolean.class, flag.getType());
    }

    /** {@link AckRecordingDialog} overrides and calls these; an upgrade that moves them fails here. */
    @Test
    void theDialogMethodsTheAckRecordingUsesArePublic() throws Exception {
        var dialog = gov.nist.javax.sip.stack.SIPDialog.class;
        var server = gov.nist.javax.sip.stack.SIPServerTransaction.class;
        assertTrue(Modifier.isPublic(dialog.getMethod("handleAck", server).getModifiers()));
        assertEquals(boolean.class, dialog.getMethod("handleAck", server).getReturnType());
        assertTrue(Modifier.isPublic(dialog.getMethod("startRetransmitTimer", server,
                javax.sip.message.Response.class).getModifiers()));
        assertEquals(server, dialog.getMethod("getInviteTransaction").getReturnType());
        assertTrue(Modifier.isPublic(dialog.getMethod("isAckSeen").getModifiers()));
        assertTrue(Modifier.isPublic(SIPTransactionStack.class.getMethod("createDialog",
                gov.nist.javax.sip.stack.SIPTransaction.class).getModifiers()));
    }
}
