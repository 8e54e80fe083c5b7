package eu.minivoice.gateway.sip;

import eu.minivoice.gateway.support.Sipp;
import eu.minivoice.gateway.support.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** sip.internal_bind: the platform side listens on its own address, not on the carrier side's. */
class InternalBindTest {
    @Test
    void thePlatformPortListensOnlyOnTheInternalAddress(@TempDir Path dir) throws Exception {
        Map<String, String> env = TestGateway.env(dir);
        env.put("MINIVOICE_SIP_INTERNAL_BIND", "127.0.0.2");
        try (TestGateway gw = TestGateway.start(dir, env)) {
            String internal = ":" + gw.sipInternalPort();
            assertEquals(0, Sipp.run("uac-options-expect-200.xml", "127.0.0.2" + internal, "-i", "127.0.0.2").exitCode());
            // Nothing listens on the carrier side's address at the internal port.
            assertNotEquals(0, Sipp.run("uac-options-expect-200.xml", "127.0.0.1" + internal, "-timeout", "3s",
                    "-timeout_error", "-recv_timeout", "2000").exitCode());
            // The carrier side is unchanged.
            assertEquals(0, Sipp.run("uac-options-expect-200.xml", "127.0.0.1:" + gw.sipExternalPort()).exitCode());
        }
    }
}
