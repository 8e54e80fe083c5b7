package eu.minivoice.gateway.api;

import eu.minivoice.gateway.domain.ErrorCode;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The admin REST port: a Netty pipeline of codec → aggregator (body limit, 413) → {@link ApiHandler}.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

    private final String bind;
    private final int port;
    private final int maxBodyBytes;
    private final Router router;
    private final Json json;
    private final ExecutorService workers;
    private EventLoopGroup boss;
    private EventLoopGroup io;
    private Channel channel;

    public AdminServer(String bind, int port, int maxBodyBytes, int workerThreads, int maxQueued,
                       Router router, Json json) {
        this.bind = bind;
        this.port = port;
        this.maxBodyBytes = maxBodyBytes;
        this.router = router;
        this.json = json;
        this.workers = new ThreadPoolExecutor(workerThreads, workerThreads, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(maxQueued), new DefaultThreadFactory("api-worker"));
    }

    /** Binds the port; @throws BindException when it is in use. */
    public void start() throws BindException, InterruptedException {
        boss = new NioEventLoopGroup(1, new DefaultThreadFactory("admin-accept"));
        io = new NioEventLoopGroup(2, new DefaultThreadFactory("admin-io"));
        ApiHandler handler = new ApiHandler(router, json, workers);
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, io)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                // An idle admin connection is closed after 60 s so they cannot pile up.
                                .addLast(new IdleStateHandler(0, 0, 60) {
                                    @Override
                                    protected void channelIdle(ChannelHandlerContext ctx,
                                                               io.netty.handler.timeout.IdleStateEvent evt) {
                                        ctx.close();
                                    }
                                })
                                .addLast(new HttpServerCodec(4096, 8192, 8192))
                                .addLast(new HttpServerKeepAliveHandler())
                                .addLast(new LimitedAggregator(maxBodyBytes))
                                .addLast(handler);
                    }
                });
        try {
            channel = b.bind(new InetSocketAddress(bind, port)).sync().channel();
        } catch (Exception e) {
            shutdownGroups();
            if (e instanceof BindException be) {
                throw be;
            }
            throw e;
        }
        log.info("admin API listening on http://{}:{}", bind, port);
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.close().syncUninterruptibly();
        }
        shutdownGroups();
        workers.shutdown();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void shutdownGroups() {
        if (boss != null) {
            boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (io != null) {
            io.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** The stock aggregator answers an oversized body with an empty 413; ours says why, in JSON. */
    private static final class LimitedAggregator extends HttpObjectAggregator {
        private final int limit;

        LimitedAggregator(int limit) {
            super(limit);
            this.limit = limit;
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
            String body = "{\"error\":{\"code\":\"" + ErrorCode.PAYLOAD_TOO_LARGE.code()
                    + "\",\"message\":\"request body is larger than " + limit + " bytes\"}}";
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            FullHttpResponse r = new DefaultFullHttpResponse(oversized.protocolVersion(),
                    HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, Unpooled.wrappedBuffer(bytes));
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
            r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
            // A keep-alive client is still sending the body: closing now could reset the connection
            // before it reads the 413, so answer and let the aggregator discard the rest (as Netty's
            // own default does). Otherwise close.
            boolean keep = !(oversized instanceof FullHttpMessage)
                    && HttpUtil.isKeepAlive(oversized);
            r.headers().set(HttpHeaderNames.CONNECTION, keep ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
            if (keep) {
                ctx.writeAndFlush(r);
            } else {
                ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }
}
