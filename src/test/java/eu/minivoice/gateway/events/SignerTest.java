package eu.minivoice.gateway.events;

import eu.minivoice.gateway.support.WebhookReceiver;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SignerTest {
    private static final byte[] BODY = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);

    @Test
    void matchesAnIndependentlyComputedVector() {
        // printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test
        assertEquals("t=1700000000,v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789",
                Signer.header("whsec_test", 1_700_000_000L, BODY));
    }

    @Test
    void theReceiversCheckAcceptsOnlyTheRightSecretBodyAndTime() throws Exception {
        String h = Signer.header("whsec_test", 1_700_000_000L, BODY);
        assertTrue(WebhookReceiver.verify(h, "{\"a\":1}", "whsec_test", 1_700_000_100L, 300));
        assertFalse(WebhookReceiver.verify(h, "{\"a\":1}", "whsec_other", 1_700_000_100L, 300));
        assertFalse(WebhookReceiver.verify(h, "{\"a\":2}", "whsec_test", 1_700_000_100L, 300));
        assertFalse(WebhookReceiver.verify(h, "{\"a\":1}", "whsec_test", 1_700_000_301L, 300), "replay outside window");
        assertFalse(WebhookReceiver.verify(h.replace("t=1700000000", "t=1700000001"), "{\"a\":1}", "whsec_test",
                1_700_000_100L, 300), "the timestamp is signed too");
        assertFalse(WebhookReceiver.verify(null, "{\"a\":1}", "whsec_test", 1_700_000_100L, 300));
    }
}
