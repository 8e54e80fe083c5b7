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
}
