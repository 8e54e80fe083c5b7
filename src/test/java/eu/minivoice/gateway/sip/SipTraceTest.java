package eu.minivoice.gateway.sip;

import ch.qos.logback.classic.Level;
import eu.minivoice.gateway.support.LogCapture;
import eu.minivoice.gateway.support.Sipp;
import eu.minivoice.gateway.support.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** sip.trace logs every message in and out, and only for the gateway that has it on. */
class SipTraceTest {
    @Test
    void traceLogsEveryMessageInAndOut(@TempDir Path quietDir, @TempDir Path loudDir) throws Exception {
        Map<String, String> loudEnv = TestGateway.env(loudDir);
        loudEnv.put("MINIVOICE_SIP_TRACE", "true");
        try (LogCapture trace = new LogCapture("eu.minivoice.gateway.sip.trace", Level.INFO);
             TestGateway quiet = TestGateway.start(quietDir);
             TestGateway loud = TestGateway.start(loudDir, loudEnv)) {
            assertEquals(0, Sipp.run("uac-options-expect-200.xml", "127.0.0.1:" + quiet.sipExternalPort()).exitCode());
            assertEquals(0, Sipp.run("uac-options-expect-200.xml", "127.0.0.1:" + loud.sipExternalPort()).exitCode());
            // The stack logs a message it sent just after sending it: SIPp may be done first.
            List<String> lines = eu.minivoice.gateway.support.Await.until("the trace of the 200 sent", trace::lines,
                    ls -> ls.stream().anyMatch(l -> l.contains("SENT") && l.contains("SIP/2.0 200 OK")),
                    java.time.Duration.ofSeconds(5));
            String loudPort = ":" + loud.sipExternalPort();
            String quietPort = ":" + quiet.sipExternalPort();
            assertTrue(lines.stream().anyMatch(l -> l.contains("RECEIVED") && l.contains(loudPort)
                    && l.contains("OPTIONS sip:")), String.join("\n", lines));
            assertTrue(lines.stream().anyMatch(l -> l.contains("SENT") && l.contains("SIP/2.0 200 OK")),
                    String.join("\n", lines));
            assertFalse(lines.stream().anyMatch(l -> l.contains(quietPort + " ") || l.contains(quietPort + "\n")),
                    "the gateway with trace off printed nothing");
        }
    }
}
