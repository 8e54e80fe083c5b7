package eu.minivoice.gateway.sip.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.CorruptedFrameException;

import java.util.List;

/**
 * Cuts a TCP/TLS byte stream into SIP messages (RFC 3261 §18.3): headers up to the empty line,
 * then exactly Content-Length bytes of body (a stream message without Content-Length has none).
 * Keep-alives between messages (RFC 5626 §3.5.1): a double CRLF is a ping, answered by the
 * transport with a single CRLF; a lone CRLF (a pong, or padding) is skipped. A message larger
 * than {@code maxMessageBytes}, or headers that never end within it, or an unreadable
 * Content-Length fail the connection (the peer is not speaking SIP, or wants our memory).
 *
 * <p>Emits {@link Frame}s: a message's bytes, or {@link Frame#PING}; in every TCP/TLS connection's
 * pipeline ({@link StreamMessageProcessor}; docs/sip.md, "TCP and TLS").
 */
final class SipStreamDecoder extends ByteToMessageDecoder {
    /** A whole message, or a keep-alive ping to answer. */
    record Frame(byte[] message) {
        static final Frame PING = new Frame(null);

        boolean ping() {
            return message == null;
        }
    }

    private final int maxMessageBytes;
    private final long readTimeoutMillis;
    /** When the message being received must be complete by (event loop only); null: none pending. */
    private io.netty.util.concurrent.ScheduledFuture<?> deadline;

    /** Without a read timeout (a message may take as long as the connection stays open). */
    SipStreamDecoder(int maxMessageBytes) {
        this(maxMessageBytes, 0);
    }

    /**
     * @param readTimeoutMillis a message must be complete this long after its first byte (or after
     *                          the previous message completed); else the connection is closed — a
     *                          peer trickling bytes holds a buffer and a connection. 0: no limit.
     */
    SipStreamDecoder(int maxMessageBytes, long readTimeoutMillis) {
        this.maxMessageBytes = maxMessageBytes;
        this.readTimeoutMillis = readTimeoutMillis;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int before = out.size();
        cut(in, out);
        watch(ctx, in.isReadable(), out.size() > before);
    }

    /** Starts the clock when a message is under way, restarts it on progress, stops it when none is. */
    private void watch(ChannelHandlerContext ctx, boolean partial, boolean progressed) {
        if (readTimeoutMillis <= 0) {
            return;
        }
        if (deadline != null && (!partial || progressed)) {
            deadline.cancel(false);
            deadline = null;
        }
        if (partial && deadline == null) {
            deadline = ctx.executor().schedule(() -> {
                deadline = null;
                ctx.fireExceptionCaught(new CorruptedFrameException("no complete SIP message within "
                        + readTimeoutMillis + " ms"));
            }, readTimeoutMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    private void cut(ByteBuf in, List<Object> out) {
        while (in.isReadable()) {
            int start = in.readerIndex();
            // Between messages: CRLF keep-alives.
            if (in.getByte(start) == '\r' || in.getByte(start) == '\n') {
                if (in.readableBytes() >= 4 && in.getByte(start) == '\r' && in.getByte(start + 1) == '\n'
                        && in.getByte(start + 2) == '\r' && in.getByte(start + 3) == '\n') {
                    in.skipBytes(4);
                    out.add(Frame.PING);
                    continue;
                }
                if (in.readableBytes() >= 2 && in.getByte(start) == '\r' && in.getByte(start + 1) == '\n') {
                    if (in.readableBytes() < 4 && onlyCrLf(in, start)) {
                        return; // may become a ping: wait for more
                    }
                    in.skipBytes(2);
                    continue;
                }
                if (in.getByte(start) == '\n') {
                    in.skipBytes(1);
                    continue;
                }
                return; // a lone CR: wait for its LF
            }
            int headerEnd = endOfHeaders(in, start);
            if (headerEnd < 0) {
                if (in.readableBytes() > maxMessageBytes) {
                    throw new TooLongFrameException("SIP headers longer than " + maxMessageBytes + " bytes");
                }
                return;
            }
            int headerLength = headerEnd - start;
            int bodyLength = contentLength(in, start, headerEnd);
            long total = (long) headerLength + bodyLength;
            if (total > maxMessageBytes) {
                throw new TooLongFrameException("SIP message of " + total + " bytes (limit " + maxMessageBytes + ")");
            }
            if (in.readableBytes() < total) {
                return;
            }
            byte[] message = new byte[(int) total];
            in.readBytes(message);
            out.add(new Frame(message));
        }
    }

    private static boolean onlyCrLf(ByteBuf in, int from) {
        for (int i = from; i < in.writerIndex(); i++) {
            if (in.getByte(i) != '\r' && in.getByte(i) != '\n') {
                return false;
            }
        }
        return true;
    }

    /** Index just past the empty line ending the headers (CRLFCRLF, or LFLF), or -1. */
    private int endOfHeaders(ByteBuf in, int start) {
        int end = Math.min(in.writerIndex(), start + maxMessageBytes + 4);
        for (int i = start; i < end - 1; i++) {
            if (in.getByte(i) == '\n') {
                if (in.getByte(i + 1) == '\n') {
                    return i + 2;
                }
                if (i + 2 < end && in.getByte(i + 1) == '\r' && in.getByte(i + 2) == '\n') {
                    return i + 3;
                }
            }
        }
        return -1;
    }

    /** The Content-Length (or compact {@code l}) header's value; 0 when absent. */
    private static int contentLength(ByteBuf in, int start, int headerEnd) {
        int i = start;
        // Skip the start line.
        while (i < headerEnd && in.getByte(i) != '\n') {
            i++;
        }
        i++;
        while (i < headerEnd) {
            int lineEnd = i;
            while (lineEnd < headerEnd && in.getByte(lineEnd) != '\n') {
                lineEnd++;
            }
            int colon = i;
            while (colon < lineEnd && in.getByte(colon) != ':') {
                colon++;
            }
            if (colon < lineEnd && isContentLength(in, i, trimEnd(in, i, colon))) {
                return parseLength(in, colon + 1, lineEnd);
            }
            i = lineEnd + 1;
        }
        return 0;
    }

    private static int trimEnd(ByteBuf in, int from, int end) {
        while (end > from && (in.getByte(end - 1) == ' ' || in.getByte(end - 1) == '\t')) {
            end--;
        }
        return end;
    }

    private static boolean isContentLength(ByteBuf in, int from, int to) {
        int n = to - from;
        if (n == 1) {
            return (in.getByte(from) | 0x20) == 'l';
        }
        String want = "content-length";
        if (n != want.length()) {
            return false;
        }
        for (int k = 0; k < n; k++) {
            if ((in.getByte(from + k) | 0x20) != want.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private static int parseLength(ByteBuf in, int from, int to) {
        long v = 0;
        int digits = 0;
        for (int i = from; i < to; i++) {
            byte b = in.getByte(i);
            if (b >= '0' && b <= '9') {
                v = v * 10 + (b - '0');
                if (++digits > 9) {
                    throw new CorruptedFrameException("Content-Length too large");
                }
            } else if (b != ' ' && b != '\t' && b != '\r') {
                throw new CorruptedFrameException("unreadable Content-Length");
            }
        }
        if (digits == 0) {
            throw new CorruptedFrameException("empty Content-Length");
        }
        return (int) v;
    }
}
