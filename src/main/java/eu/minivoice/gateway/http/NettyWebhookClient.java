package eu.minivoice.gateway.http;

import eu.minivoice.gateway.domain.AddressPolicy;
import eu.minivoice.gateway.events.HttpOutcome;
import eu.minivoice.gateway.events.WebhookClient;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.resolver.AbstractAddressResolver;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import java.io.ByteArrayOutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link WebhookClient} on Netty: asynchronous DNS, connect and I/O on a small event loop group (no
 * thread per request, no thread waits on a customer's server), HTTP/1.1 keep-alive per endpoint,
 * redirects never followed, at most {@code maxBodyBytes} of an answer read.
 *
 * <p>Every address is checked against the {@link AddressPolicy} <em>after</em> resolution and
 * right before the connect, by the resolver the connection uses: a host name that resolved to a
 * public address when the URL was saved and to 169.254.169.254 now (DNS rebinding) is refused
 * here, because the address checked is the address connected to.
 *
 * <p>Answers are completed on {@code threads} threads of their own, not on the event loop: what a
 * caller chains on the result (the inbound call's actions) must never hold the I/O of every
 * other webhook.
 */
public final class NettyWebhookClient implements WebhookClient {
    private static final String USER_AGENT = "MiniVoice-Webhooks/1.0";
    private static final int MAX_IDLE_PER_ENDPOINT = 32;
    private static final int IDLE_CLOSE_SECONDS = 30;
    private static final AttributeKey<Exchange> EXCHANGE = AttributeKey.valueOf("minivoice.webhook.exchange");

    private final EventLoopGroup group;
    private final ExecutorService completions;
    private final DnsAddressResolverGroup dns;
    private final Bootstrap bootstrap;
    private final SslContext ssl;
    private final Duration connectTimeout;
    private final Map<String, Deque<Channel>> idle = new ConcurrentHashMap<>();

    public NettyWebhookClient(Duration connectTimeout, int threads, AddressPolicy policy) {
        this.connectTimeout = connectTimeout;
        this.group = new MultiThreadIoEventLoopGroup(Math.max(1, Math.min(threads, 2)),
                new DefaultThreadFactory("webhook-io", true), NioIoHandler.newFactory());
        AtomicInteger n = new AtomicInteger();
        this.completions = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "webhook-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.dns = new DnsAddressResolverGroup(new DnsNameResolverBuilder()
                .datagramChannelType(NioDatagramChannel.class)
                .queryTimeoutMillis(connectTimeout.toMillis()));
        try {
            this.ssl = SslContextBuilder.forClient().build(); // the JDK's trusted CAs
        } catch (SSLException e) {
            throw new IllegalStateException("no TLS client context: " + e.getMessage(), e);
        }
        this.bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .resolver(new CheckedResolverGroup(dns, policy));
    }

    @Override
    public CompletableFuture<HttpOutcome> post(URI url, Map<String, String> headers, byte[] body, Duration timeout,
                                               int maxBodyBytes) {
        CompletableFuture<HttpOutcome> result = new CompletableFuture<>();
        Target target;
        try {
            target = Target.of(url);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(HttpOutcome.failed(HttpOutcome.Failure.PROTOCOL, e.getMessage()));
        }
        Exchange x = new Exchange(target, request(target, url, headers, body), maxBodyBytes, timeout, result);
        x.deadline = group.next().schedule(() -> x.fail(HttpOutcome.failed(HttpOutcome.Failure.TIMEOUT,
                "no complete answer within " + timeout.toMillis() + " ms")), timeout.toMillis(), TimeUnit.MILLISECONDS);
        send(x, true);
        // Callers chain call handling on this: never on the event loop.
        return result.thenApplyAsync(o -> o, completions);
    }

    private static FullHttpRequest request(Target t, URI url, Map<String, String> headers, byte[] body) {
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        if (url.getRawQuery() != null) {
            path += "?" + url.getRawQuery();
        }
        FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, path,
                Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.HOST, t.hostHeader())
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .set(HttpHeaderNames.USER_AGENT, USER_AGENT)
                .set(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        headers.forEach((k, v) -> r.headers().set(k, v));
        return r;
    }

    /** On an idle keep-alive connection if there is one, else a new connection. */
    private void send(Exchange x, boolean mayReuse) {
        if (x.done.get()) {
            return;
        }
        Channel reused = mayReuse ? takeIdle(x.target.key()) : null;
        if (reused != null) {
            reused.eventLoop().execute(() -> write(reused, x, true));
            return;
        }
        ChannelFuture connect = bootstrap.clone().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                if (x.target.tls()) {
                    SslHandler tls = ssl.newHandler(ch.alloc(), x.target.host(), x.target.port());
                    SSLEngine engine = tls.engine();
                    SSLParameters p = engine.getSSLParameters();
                    p.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the host
                    engine.setSSLParameters(p);
                    tls.setHandshakeTimeoutMillis(connectTimeout.toMillis() + x.timeout.toMillis());
                    ch.pipeline().addLast(tls);
                }
                ch.pipeline().addLast(new HttpClientCodec(), new IdleStateHandler(0, 0, IDLE_CLOSE_SECONDS),
                        new AnswerHandler());
            }
        }).connect(InetSocketAddress.createUnresolved(x.target.host(), x.target.port()));
        x.channel = connect.channel();
        connect.addListener(f -> {
            if (f.isSuccess()) {
                write(connect.channel(), x, false);
            } else {
                x.fail(classify(f.cause()));
            }
        });
    }

    private void write(Channel ch, Exchange x, boolean reused) {
        if (x.done.get()) {
            release(ch, x.target, true);
            return;
        }
        x.channel = ch;
        x.reused = reused;
        ch.attr(EXCHANGE).set(x);
        ch.writeAndFlush(x.request.retainedDuplicate()).addListener(f -> {
            if (!f.isSuccess()) {
                ch.close();
                x.connectionLost(this, f.cause());
            }
        });
    }

    private Channel takeIdle(String key) {
        Deque<Channel> q = idle.get(key);
        Channel ch;
        while (q != null && (ch = q.pollFirst()) != null) {
            if (ch.isActive()) {
                return ch;
            }
        }
        return null;
    }

    private void release(Channel ch, Target target, boolean keep) {
        ch.attr(EXCHANGE).set(null);
        Deque<Channel> q = idle.computeIfAbsent(target.key(), k -> new ConcurrentLinkedDeque<>());
        if (keep && ch.isActive() && q.size() < MAX_IDLE_PER_ENDPOINT) {
            q.offerFirst(ch);
        } else {
            ch.close();
        }
    }

    static HttpOutcome classify(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof RefusedAddressException) {
                return HttpOutcome.failed(HttpOutcome.Failure.CONNECTION, "address refused: " + c.getMessage());
            }
            if (c instanceof SSLException || c.getClass().getName().startsWith("javax.net.ssl")) {
                return HttpOutcome.failed(HttpOutcome.Failure.TLS, String.valueOf(c.getMessage()));
            }
        }
        if (e instanceof io.netty.channel.ConnectTimeoutException) {
            return HttpOutcome.failed(HttpOutcome.Failure.TIMEOUT, "connect took longer than allowed");
        }
        if (e instanceof ConnectException || e instanceof UnknownHostException
                || e instanceof java.io.IOException) {
            String m = e.getMessage();
            return HttpOutcome.failed(HttpOutcome.Failure.CONNECTION,
                    m == null || m.isEmpty() ? e.getClass().getSimpleName() : m);
        }
        return HttpOutcome.failed(HttpOutcome.Failure.PROTOCOL, e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        dns.close();
        completions.shutdownNow();
    }

    /** Where a URL points: scheme, host (as written, for SNI and Host) and port. */
    record Target(boolean tls, String host, int port) {
        static Target of(URI url) {
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || url.getHost() == null) {
                throw new IllegalArgumentException("not an http(s) URL with a host: " + url);
            }
            boolean tls = scheme.equals("https");
            String host = url.getHost();
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            return new Target(tls, host, url.getPort() != -1 ? url.getPort() : tls ? 443 : 80);
        }

        String key() {
            return (tls ? "https://" : "http://") + host.toLowerCase(Locale.ROOT) + ":" + port;
        }

        String hostHeader() {
            String h = host.contains(":") ? "[" + host + "]" : host;
            return port == (tls ? 443 : 80) ? h : h + ":" + port;
        }
    }

    /** One POST and its answer, as it is being read. */
    private static final class Exchange {
        final Target target;
        final FullHttpRequest request;
        final int max;
        final Duration timeout;
        final CompletableFuture<HttpOutcome> result;
        final AtomicBoolean done = new AtomicBoolean();
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        volatile ScheduledFuture<?> deadline;
        volatile Channel channel;
        volatile boolean reused;
        HttpResponse response;
        boolean answerStarted;

        Exchange(Target target, FullHttpRequest request, int max, Duration timeout,
                 CompletableFuture<HttpOutcome> result) {
            this.target = target;
            this.request = request;
            this.max = max;
            this.timeout = timeout;
            this.result = result;
        }

        boolean finish(HttpOutcome o) {
            if (!done.compareAndSet(false, true)) {
                return false;
            }
            ScheduledFuture<?> d = deadline;
            if (d != null) {
                d.cancel(false);
            }
            request.release();
            result.complete(o);
            return true;
        }

        void fail(HttpOutcome o) {
            if (finish(o)) {
                Channel ch = channel;
                if (ch != null) {
                    ch.close();
                }
            }
        }

        /**
         * The connection went away before any answer. A reused keep-alive connection the server
         * had just closed is the usual reason: the POST is sent once more on a new connection
         * (receivers drop duplicates by X-MiniVoice-Delivery anyway).
         */
        void connectionLost(NettyWebhookClient client, Throwable cause) {
            if (reused && !answerStarted && !done.get()) {
                reused = false;
                client.send(this, false);
                return;
            }
            fail(cause == null ? HttpOutcome.failed(HttpOutcome.Failure.CONNECTION, "connection closed before the answer")
                    : classify(cause));
        }
    }

    /** Reads the answer of the channel's current exchange; keeps the connection when the answer allows. */
    private final class AnswerHandler extends SimpleChannelInboundHandler<HttpObject> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            Exchange x = ctx.channel().attr(EXCHANGE).get();
            if (x == null || x.done.get()) {
                return; // an answer nobody waits for any more (timed out): the channel is closing
            }
            x.answerStarted = true;
            if (msg instanceof HttpResponse r) {
                if (r.decoderResult().isFailure()) {
                    x.fail(HttpOutcome.failed(HttpOutcome.Failure.PROTOCOL, "malformed answer: "
                            + r.decoderResult().cause().getMessage()));
                    return;
                }
                x.response = r;
            }
            if (msg instanceof HttpContent c) {
                ByteBuf b = c.content();
                int room = x.max - x.body.size();
                if (b.readableBytes() > room) {
                    byte[] part = new byte[room];
                    b.readBytes(part);
                    x.body.write(part, 0, part.length);
                    complete(x, true);
                    ctx.close(); // the rest is not read
                    return;
                }
                byte[] all = new byte[b.readableBytes()];
                b.readBytes(all);
                x.body.write(all, 0, all.length);
                if (msg instanceof LastHttpContent) {
                    boolean keep = HttpUtil.isKeepAlive(x.response);
                    if (complete(x, false)) {
                        release(ctx.channel(), x.target, keep);
                    }
                }
            }
        }

        private boolean complete(Exchange x, boolean truncated) {
            HttpResponse r = x.response;
            return x.finish(HttpOutcome.answered(r.status().code(), x.body.toByteArray(), truncated,
                    r.headers().get(HttpHeaderNames.RETRY_AFTER), r.headers().get(HttpHeaderNames.LOCATION)));
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            Exchange x = ctx.channel().attr(EXCHANGE).get();
            if (x != null && !x.done.get()) {
                x.connectionLost(NettyWebhookClient.this, null);
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Exchange x = ctx.channel().attr(EXCHANGE).get();
            ctx.close();
            if (x != null && !x.done.get()) {
                if (cause instanceof ClosedChannelException) {
                    x.connectionLost(NettyWebhookClient.this, null);
                } else {
                    x.fail(classify(cause));
                }
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof IdleStateEvent && ctx.channel().attr(EXCHANGE).get() == null) {
                ctx.close(); // an idle keep-alive connection: the server would close it soon anyway
                return;
            }
            super.userEventTriggered(ctx, evt);
        }
    }

    /** The policy refused the address a name resolved to (or a literal). */
    static final class RefusedAddressException extends UnknownHostException {
        RefusedAddressException(String message) {
            super(message);
        }
    }

    /** Resolves with the asynchronous DNS resolver, then refuses addresses the policy forbids. */
    private static final class CheckedResolverGroup extends AddressResolverGroup<InetSocketAddress> {
        private final AddressResolverGroup<InetSocketAddress> dns;
        private final AddressPolicy policy;

        CheckedResolverGroup(AddressResolverGroup<InetSocketAddress> dns, AddressPolicy policy) {
            this.dns = dns;
            this.policy = policy;
        }

        @Override
        protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
            AddressResolver<InetSocketAddress> inner = dns.getResolver(executor);
            return new AbstractAddressResolver<>(executor, InetSocketAddress.class) {
                @Override
                protected boolean doIsResolved(InetSocketAddress address) {
                    return false; // always through doResolve, so that every address is checked
                }

                @Override
                protected void doResolve(InetSocketAddress unresolved, Promise<InetSocketAddress> promise) {
                    inner.resolve(toUnresolved(unresolved)).addListener((Future<InetSocketAddress> f) -> {
                        if (!f.isSuccess()) {
                            promise.tryFailure(f.cause());
                            return;
                        }
                        String refused = policy.refusal(f.getNow().getAddress());
                        if (refused != null) {
                            promise.tryFailure(new RefusedAddressException(refused + AddressPolicy.HINT));
                        } else {
                            promise.trySuccess(f.getNow());
                        }
                    });
                }

                @Override
                protected void doResolveAll(InetSocketAddress unresolved, Promise<List<InetSocketAddress>> promise) {
                    inner.resolveAll(toUnresolved(unresolved)).addListener((Future<List<InetSocketAddress>> f) -> {
                        if (!f.isSuccess()) {
                            promise.tryFailure(f.cause());
                            return;
                        }
                        List<InetSocketAddress> ok = new ArrayList<>();
                        String refused = null;
                        for (InetSocketAddress a : f.getNow()) {
                            String why = policy.refusal(a.getAddress());
                            if (why == null) {
                                ok.add(a);
                            } else {
                                refused = why;
                            }
                        }
                        if (refused != null) {
                            // One refused address taints the name (rebinding tricks mix them).
                            promise.tryFailure(new RefusedAddressException(refused + AddressPolicy.HINT));
                        } else {
                            promise.trySuccess(ok);
                        }
                    });
                }

                @Override
                public void close() {
                    inner.close();
                }
            };
        }

        private static InetSocketAddress toUnresolved(SocketAddress a) {
            InetSocketAddress i = (InetSocketAddress) a;
            return i.isUnresolved() ? i : InetSocketAddress.createUnresolved(i.getHostString(), i.getPort());
        }
    }
}
