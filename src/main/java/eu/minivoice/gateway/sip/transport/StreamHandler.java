package eu.minivoice.gateway.sip.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;

/**
 * The last stage of a connection's pipeline, on its event loop: hands each message cut by
 * {@link SipStreamDecoder} to the workers (in its call's lane), answers keep-alive pings, and acts
 * on idleness — closes a silent connection a peer opened, pings on one we opened.
 */
final class StreamHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(StreamHandler.class);
    private static final byte[] PING = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final StreamMessageChannel channel;
    private final StreamMessageProcessor processor;

    StreamHandler(StreamMessageChannel channel, StreamMessageProcessor processor) {
        this.channel = channel;
        this.processor = processor;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        SipStreamDecoder.Frame frame = (SipStreamDecoder.Frame) msg;
        if (frame.ping()) {
            channel.ping(ctx.channel());
            return;
        }
        byte[] bytes = frame.message();
        processor.dispatch(new StreamTransport.Work(CallIdScanner.hash(bytes, bytes.length), System.currentTimeMillis(),
                () -> channel.process(bytes)));
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent idle) {
            if (idle.state() == IdleState.ALL_IDLE) {
                log.debug("closing idle {}", channel);
                ctx.close();
            } else if (idle.state() == IdleState.WRITER_IDLE) {
                ctx.writeAndFlush(io.netty.buffer.Unpooled.wrappedBuffer(PING), ctx.voidPromise());
            }
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        channel.closedByTransport();
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Not SIP (bad framing, too large), a failed TLS handshake, a reset: the connection goes.
        log.debug("closing {}: {}", channel, cause.toString());
        ctx.close();
    }
}
