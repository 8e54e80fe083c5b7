package eu.minivoice.gateway.sip;

import com.fasterxml.jackson.databind.JsonNode;
import eu.minivoice.gateway.support.Await;
import eu.minivoice.gateway.support.FreePorts;
import eu.minivoice.gateway.support.Http.Reply;
import eu.minivoice.gateway.support.RawSip;
import eu.minivoice.gateway.support.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static eu.minivoice.gateway.support.TestGateway.API_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A trunk proxy is checked where the gateway uses it, not only when saved: a trunk saved while
 * loopback was allowed gets no REGISTER, no OPTIONS and no INVITE once the policy refuses its
 * address (the path of a proxy name that comes to resolve to a private address).
 */
class TrunkTargetRefusedTest {
    @Test
    void registrationReadinessAndCallsSkipARefusedProxy(@TempDir Path dir) throws Exception {
        AtomicInteger received = new AtomicInteger();
        try (DatagramSocket carrier = new DatagramSocket(FreePorts.next(), InetAddress.getLoopbackAddress())) {
            Thread listener = new Thread(() -> {
                byte[] buf = new byte[65_536];
                while (!carrier.isClosed()) {
                    try {
                        carrier.receive(new DatagramPacket(buf, buf.length));
                        received.incrementAndGet();
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            listener.setDaemon(true);
            listener.start();
            Map<String, String> env = TestGateway.env(dir);
            String trunkId;
            try (TestGateway first = TestGateway.start(dir, env)) {
                Reply t = first.http.post("/v1/trunks", API_KEY, "{\"name\":\"c\",\"proxy\":\"127.0.0.1:"
                        + carrier.getLocalPort() + "\",\"register\":false}");
                assertEquals(201, t.status(), t.body());
                trunkId = t.data().get("id").asText();
                assertEquals(201, first.http.post("/v1/numbers", API_KEY, "{\"number\":\"+15551230001\"}").status());
                Reply reg = first.http.post("/v1/trunks", API_KEY, "{\"name\":\"r\",\"proxy\":\"127.0.0.1:"
                        + carrier.getLocalPort() + "\",\"username\":\"u1\",\"password\":\"p1\",\"direction\":\"inbound\"}");
                assertEquals(201, reg.status(), reg.body());
            }
            env.remove("MINIVOICE_SECURITY_ALLOWED_PRIVATE_CIDRS");
            received.set(0);
            try (TestGateway strict = TestGateway.start(dir, env)) {
                JsonNode regTrunk = Await.until("the registering trunk refused", () -> {
                    for (JsonNode t : strict.http.get("/v1/trunks", API_KEY).data()) {
                        if (t.get("name").asText().equals("r") && t.get("registration").get("last_reason") != null
                                && t.get("registration").get("last_reason").asText().contains("loopback")) {
                            return t;
                        }
                    }
                    return null;
                }, t -> true, Duration.ofSeconds(30));
                assertTrue(regTrunk.toString().contains("security.allowed_private_cidrs"), regTrunk.toString());
                JsonNode test = strict.http.post("/v1/trunks/" + trunkId + "/test", API_KEY, "").data();
                assertTrue(test.get("options").get("error").asText().contains("address refused"), test.toString());
                String answer = RawSip.send(RawSip.platformInvite(h -> h), strict.sipInternalPort());
                assertTrue(answer != null && answer.startsWith("SIP/2.0 503 "), answer);
                JsonNode failed = strict.awaitCallEvent("call.failed", "+15551239999");
                assertTrue(failed.get("data").get("attempts").toString().contains("address refused"), failed.toString());
                Thread.sleep(300);
                assertEquals(0, received.get(), "nothing was sent to the refused proxy");
            }
        }
    }
}
