package eu.minivoice.gateway.sip;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JAIN-SIP 1.3.0-91 internals SipServer reads by reflection (which connections are open): an
 * upgrade that moves them fails here first, not as a silent loss of the connection checks.
 */
class SipServerInternalsTest {
    @Test
    void theConnectionTablesAreWhereSipServerReadsThem() throws Exception {
        var ioHandler = assertDoesNotThrow(() -> gov.nist.javax.sip.stack.SIPTransactionStack.class
                .getDeclaredField("ioHandler"));
        var socketTable = assertDoesNotThrow(() -> ioHandler.getType().getDeclaredField("socketTable"));
        assertTrue(Map.class.isAssignableFrom(socketTable.getType()));
        var channels = assertDoesNotThrow(() -> gov.nist.javax.sip.stack.ConnectionOrientedMessageProcessor.class
                .getDeclaredField("messageChannels"));
        assertTrue(Map.class.isAssignableFrom(channels.getType()));
        String version = gov.nist.javax.sip.SipStackImpl.class.getPackage().getImplementationVersion();
        // The jar carries no version in its manifest; its Maven coordinates pin it (pom.xml).
        assertEquals(null, version == null ? null : version.contains("1.3.0-91") ? null : version,
                "an unexpected JAIN-SIP version: check the internals SipServer reads");
    }
}
