package eu.minivoice.gateway.sip.transport;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class BadRequestAnswerTest {
    @Test
    void copiesWhatAClientMatchesOnAndEndsTheHeadersOnce() {
        String request = "OPTIONS sip:gw SIP/2.0\r\n"
                + "Via: SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bK1\r\n"
                + "v: SIP/2.0/TCP 10.0.0.2:5060;branch=z9hG4bK2\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:a@x>;tag=1\r\n"
                + "To: <sip:b@y>\r\n"
                + "Call-ID: c1\r\n"
                + "CSeq: one OPTIONS\r\n"
                + "Content-Length: 3\r\n\r\nabc";
        assertEquals("SIP/2.0 400 Bad Request\r\n"
                + "Via: SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bK1\r\n"
                + "v: SIP/2.0/TCP 10.0.0.2:5060;branch=z9hG4bK2\r\n"
                + "From: <sip:a@x>;tag=1\r\n"
                + "To: <sip:b@y>;tag=badreq\r\n"
                + "Call-ID: c1\r\n"
                + "CSeq: one OPTIONS\r\n"
                + "Content-Length: 0\r\n\r\n", BadRequestAnswer.of(request));
    }

    @Test
    void withoutViaCallIdOrCSeqThereIsNobodyToAnswer() {
        assertNull(BadRequestAnswer.of("OPTIONS sip:gw SIP/2.0\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n\r\n"));
        assertNull(BadRequestAnswer.of("OPTIONS sip:gw SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\nCSeq: 1 OPTIONS\r\n\r\n"));
        assertNull(BadRequestAnswer.of("garbage"));
    }
}
