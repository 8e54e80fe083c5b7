package eu.minivoice.gateway.sip.logging;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SipTraceMaskTest {
    @Test
    void theDigestResponseIsMaskedInTheTrace() {
        String register = "REGISTER sip:carrier.example SIP/2.0\r\n"
                + "Authorization: Digest username=\"acct1\",realm=\"carrier\",nonce=\"abc\",uri=\"sip:carrier.example\","
                + "response=\"6629fae49393a05397450978507c4ef1\",algorithm=MD5\r\n"
                + "Proxy-Authorization: Digest username=\"acct1\", response=0123456789abcdef, nonce=\"n2\"\r\n"
                + "Call-ID: x\r\n\r\n";
        String m = Slf4jServerLogger.masked(register);
        assertFalse(m.contains("6629fae49393a05397450978507c4ef1"), m);
        assertFalse(m.contains("0123456789abcdef"), m);
        assertTrue(m.contains("response=\"***\""), m);
        assertTrue(m.contains("username=\"acct1\"") && m.contains("nonce=\"n2\"") && m.contains("Call-ID: x"), m);
    }
}
