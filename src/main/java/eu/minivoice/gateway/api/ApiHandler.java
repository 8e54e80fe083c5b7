package eu.minivoice.gateway.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import eu.minivoice.gateway.domain.ErrorCode;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

/**
 * The last handler of the admin pipeline: it sees only complete requests (the aggregator before
 * it enforces the body limit), hands each to a worker thread, since resources do database work
 * that must not run on Netty's event loop, and writes the JSON answer.
 */
@ChannelHandler.Sharable
final class ApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(ApiHandler.class);

    private final Router router;
    private final Json json;
    private final ErrorBodies errors;
    private final ExecutorService workers;

    ApiHandler(Router router, Json json, ExecutorService workers) {
        this.router = router;
        this.json = json;
        this.errors = new ErrorBodies(json);
        this.workers = workers;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest msg) {
        boolean keepAlive = HttpUtil.isKeepAlive(msg);
        if (msg.decoderResult().isFailure()) {
            write(ctx, errors.body(400, ErrorCode.BAD_REQUEST,
                    "malformed HTTP request (request line or headers too long or invalid)", null, Map.of()), false);
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(msg.uri());
        ApiRequest request = new ApiRequest(msg.method().name(), uri.path(), Map.of(), uri.parameters(),
                msg.headers().copy(), ByteBufUtil.getBytes(msg.content()), null, remote(ctx));
        try {
            workers.execute(() -> {
                long start = System.nanoTime();
                ApiResponse response;
                try {
                    response = router.dispatch(request);
                } catch (Throwable t) {
                    response = errors.of(t, request.method(), request.path());
                }
                log.debug("{} {} -> {} ({} µs)", request.method(), request.path(), response.status(),
                        (System.nanoTime() - start) / 1000);
                write(ctx, response, keepAlive);
            });
        } catch (RejectedExecutionException e) {
            write(ctx, errors.body(503, ErrorCode.OVERLOADED, "too many requests in progress, retry shortly", null,
                    Map.of("Retry-After", "1")), keepAlive);
        }
    }

    private static String remote(ChannelHandlerContext ctx) {
        return ctx.channel().remoteAddress() instanceof java.net.InetSocketAddress a && a.getAddress() != null
                ? a.getAddress().getHostAddress() : "";
    }

    private void write(ChannelHandlerContext ctx, ApiResponse response, boolean keepAlive) {
        byte[] body;
        String contentType = "application/json; charset=utf-8";
        try {
            if (response.body() instanceof ApiResponse.RawBody raw) {
                body = raw.bytes();
                contentType = raw.contentType();
            } else {
                body = response.body() == null ? new byte[0] : json.mapper().writeValueAsBytes(response.body());
            }
        } catch (JsonProcessingException e) {
            log.error("cannot serialise a response", e);
            body = "{\"error\":{\"code\":\"internal_error\",\"message\":\"internal error\"}}".getBytes();
            response = new ApiResponse(500, null, Map.of());
        }
        FullHttpResponse out = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(response.status()), Unpooled.wrappedBuffer(body));
        if (body.length > 0) {
            out.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        }
        out.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        out.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        response.headers().forEach(out.headers()::set);
        if (keepAlive) {
            out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(out);
        } else {
            out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A client that resets its connection is routine; anything else is worth a line.
        log.debug("admin connection {} closed after error: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
