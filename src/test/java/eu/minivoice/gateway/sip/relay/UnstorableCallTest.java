package eu.minivoice.gateway.sip.relay;

import com.fasterxml.jackson.databind.JsonNode;
import eu.minivoice.gateway.support.Await;
import eu.minivoice.gateway.support.RawSip;
import eu.minivoice.gateway.support.SharedGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static eu.minivoice.gateway.support.TestGateway.API_KEY;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A call whose record or event the database cannot take (no customer, a customer that does not
 * exist) must never stop the records and events of the calls after it: the single writers drop
 * what the database refuses and keep going.
 */
class UnstorableCallTest {
    @RegisterExtension
    static final SharedGateway shared = new SharedGateway();

    @Test
    void recordsAndEventsKeepFlowingAfterCallsTheDatabaseRefuses() throws Exception {
        int port = shared.gw().sipInternalPort();
        String noCustomer = RawSip.send(RawSip.platformInvite(h -> h.replaceFirst("X-MiniVoice-Customer-Id: [^\r]*\r\n", "")), port);
        assertTrue(noCustomer != null && noCustomer.startsWith("SIP/2.0 403 "), noCustomer);
        // A customer id no customer has: the call is refused (484, bad destination) and its event
        // names a customer the events table cannot reference.
        String ghost = RawSip.send(RawSip.platformInvite(h -> h.replace("cust_default", "cust_nobody")
                .replace("sip:+15551239999@127.0.0.1 SIP", "sip:ghost@127.0.0.1 SIP")), port);
        assertTrue(ghost != null && ghost.startsWith("SIP/2.0 484 "), ghost);

        String real = RawSip.send(RawSip.platformInvite(h -> h.replace("sip:+15551239999@127.0.0.1 SIP",
                "sip:real-after-poison@127.0.0.1 SIP")), port);
        assertTrue(real != null && real.startsWith("SIP/2.0 484 "), real);
        Await.until("the later call's record in /v1/calls", () -> find(shared.gw().http.get("/v1/calls?limit=50", API_KEY).data()),
                n -> true, Duration.ofSeconds(5));
        Await.until("the later call's call.failed event", () -> find(shared.gw().http.get("/v1/events?type=call.failed&limit=50",
                API_KEY).data()), n -> true, Duration.ofSeconds(5));
    }

    private static JsonNode find(JsonNode list) {
        for (JsonNode n : list) {
            JsonNode to = n.has("call") ? n.get("call").get("to") : n.get("to");
            if (to != null && to.asText().equals("real-after-poison")) {
                return n;
            }
        }
        return null;
    }
}
