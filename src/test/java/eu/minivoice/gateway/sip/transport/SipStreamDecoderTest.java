package eu.minivoice.gateway.sip.transport;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SipStreamDecoderTest {
    private static final String OPTIONS = "OPTIONS sip:gw SIP/2.0\r\nVia: SIP/2.0/TCP 10.0.0.9;branch=z9hG4bK-1\r\n"
            + "Call-ID: a@b\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
    private static final String BODY = "v=0\r\no=x 1 1 IN IP4 10.0.0.9\r\n";
    private static final String INVITE = "INVITE sip:+1@gw SIP/2.0\r\nVia: SIP/2.0/TCP 10.0.0.9;branch=z9hG4bK-2\r\n"
            + "Call-ID: c@d\r\nCSeq: 1 INVITE\r\ncontent-length :  " + BODY.length() + "\r\n\r\n" + BODY;

    private final EmbeddedChannel channel = new EmbeddedChannel(new SipStreamDecoder(4096));

    private void write(String s) {
        channel.writeInbound(Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1));
    }

    private String nextMessage() {
        SipStreamDecoder.Frame f = channel.readInbound();
        return f == null ? null : f.ping() ? "PING" : new String(f.message(), StandardCharsets.ISO_8859_1);
    }

    @Test
    void messagesAreCutByTheirContentLengthWhateverTheChunks() {
        String both = OPTIONS + INVITE;
        for (int i = 0; i < both.length(); i += 7) {
            write(both.substring(i, Math.min(both.length(), i + 7)));
        }
        assertEquals(OPTIONS, nextMessage());
        assertEquals(INVITE, nextMessage());
        assertNull(nextMessage());
    }

    @Test
    void twoMessagesInOneChunkAndTheCompactForm() {
        String compact = "MESSAGE sip:x SIP/2.0\r\ni: e@f\r\nl: 5\r\n\r\nhello";
        write(OPTIONS + compact);
        assertEquals(OPTIONS, nextMessage());
        assertEquals(compact, nextMessage());
    }

    @Test
    void aDoubleCrlfIsAPingAndALoneCrlfIsSkipped() {
        write("\r\n\r\n");
        assertEquals("PING", nextMessage());
        write("\r\n");
        assertNull(nextMessage(), "maybe the start of a ping: wait");
        write(OPTIONS);
        assertEquals(OPTIONS, nextMessage(), "a lone CRLF before a message is skipped");
        write("\r\n\r\n" + OPTIONS);
        assertEquals("PING", nextMessage());
        assertEquals(OPTIONS, nextMessage());
    }

    @Test
    void aMessageWithoutContentLengthHasNoBody() {
        String noLength = "BYE sip:x SIP/2.0\r\nCall-ID: g@h\r\n\r\n";
        write(noLength + OPTIONS);
        assertEquals(noLength, nextMessage());
        assertEquals(OPTIONS, nextMessage());
    }

    @Test
    void tooLargeOrEndlessOrUnreadableFailsTheConnection() {
        EmbeddedChannel big = new EmbeddedChannel(new SipStreamDecoder(200));
        assertThrows(DecoderException.class, () -> big.writeInbound(Unpooled.copiedBuffer(
                "INVITE sip:x SIP/2.0\r\nContent-Length: 1000\r\n\r\n", StandardCharsets.ISO_8859_1)));
        EmbeddedChannel endless = new EmbeddedChannel(new SipStreamDecoder(200));
        assertThrows(DecoderException.class, () -> endless.writeInbound(Unpooled.copiedBuffer(
                "INVITE sip:x SIP/2.0\r\nX: " + "a".repeat(300), StandardCharsets.ISO_8859_1)));
        EmbeddedChannel bad = new EmbeddedChannel(new SipStreamDecoder(200));
        assertThrows(DecoderException.class, () -> bad.writeInbound(Unpooled.copiedBuffer(
                "INVITE sip:x SIP/2.0\r\nContent-Length: 12x\r\n\r\n", StandardCharsets.ISO_8859_1)));
    }

    /** A peer trickling a message is cut off at the read timeout; one making progress is not. */
    @Test
    void aMessageMustArriveWholeWithinTheReadTimeout() {
        java.util.List<Throwable> failures = new java.util.ArrayList<>();
        EmbeddedChannel slow = new EmbeddedChannel(new SipStreamDecoder(4096, 1_000), failuresTo(failures));
        slow.writeInbound(Unpooled.copiedBuffer(OPTIONS.substring(0, 30), StandardCharsets.ISO_8859_1));
        slow.advanceTimeBy(999, java.util.concurrent.TimeUnit.MILLISECONDS);
        slow.runScheduledPendingTasks();
        assertEquals(0, failures.size(), "not yet");
        slow.advanceTimeBy(2, java.util.concurrent.TimeUnit.MILLISECONDS);
        slow.runScheduledPendingTasks();
        assertEquals(1, failures.size(), "a message still incomplete after 1 s fails the connection");

        failures.clear();
        EmbeddedChannel steady = new EmbeddedChannel(new SipStreamDecoder(4096, 1_000), failuresTo(failures));
        // Each write completes a message and starts the next: progress restarts the clock.
        steady.writeInbound(Unpooled.copiedBuffer(OPTIONS + OPTIONS.substring(0, 20), StandardCharsets.ISO_8859_1));
        for (int i = 0; i < 5; i++) {
            steady.advanceTimeBy(700, java.util.concurrent.TimeUnit.MILLISECONDS);
            steady.runScheduledPendingTasks();
            steady.writeInbound(Unpooled.copiedBuffer(OPTIONS.substring(20) + OPTIONS.substring(0, 20),
                    StandardCharsets.ISO_8859_1));
        }
        // Nothing pending: no clock at all.
        steady.writeInbound(Unpooled.copiedBuffer(OPTIONS.substring(20), StandardCharsets.ISO_8859_1));
        steady.advanceTimeBy(5_000, java.util.concurrent.TimeUnit.MILLISECONDS);
        steady.runScheduledPendingTasks();
        assertEquals(0, failures.size(), failures.toString());
    }

    private static io.netty.channel.ChannelHandler failuresTo(java.util.List<Throwable> failures) {
        return new io.netty.channel.ChannelInboundHandlerAdapter() {
            @Override
            public void exceptionCaught(io.netty.channel.ChannelHandlerContext ctx, Throwable cause) {
                failures.add(cause);
            }
        };
    }
}
