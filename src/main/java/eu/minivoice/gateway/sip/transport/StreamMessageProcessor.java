package eu.minivoice.gateway.sip.transport;

import eu.minivoice.gateway.sip.net.GatewayNetworkLayer;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import gov.nist.core.HostPort;
import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.MessageProcessor;
import gov.nist.javax.sip.stack.SIPTransactionStack;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A TCP or TLS listening point on Netty (the stack's message processor for that transport): it
 * accepts connections, opens outgoing ones without blocking the sender, and keeps one
 * {@link StreamMessageChannel} per connection, found by peer address and port (so a response, or
 * a new request to the same peer, reuses the connection).
 */
final class StreamMessageProcessor extends MessageProcessor implements StreamConnections {
    private final StreamTransport transport;
    private final GatewayNetworkLayer network;
    private final boolean tls;
    private final Map<String, StreamMessageChannel> channels = new ConcurrentHashMap<>();
    private volatile Channel server;

    StreamMessageProcessor(InetAddress address, SIPTransactionStack stack, int port, String transportName,
                           StreamTransport transport, GatewayNetworkLayer network) {
        super(address, port, transportName.toUpperCase(java.util.Locale.ROOT), stack);
        this.transport = transport;
        this.network = network;
        this.tls = transportName.equalsIgnoreCase("tls");
    }

    @Override
    public void start() throws IOException {
        transport.acquire();
        ServerBootstrap b = new ServerBootstrap()
                .group(transport.loops())
                .channel(transport.serverType())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) throws Exception {
                        accepted(ch);
                    }
                });
        ChannelFuture bound = b.bind(new InetSocketAddress(getIpAddress(), getPort())).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            transport.release();
            Throwable e = bound.cause();
            if (e instanceof IOException io) {
                throw io;
            }
            BindException be = new BindException("cannot listen on " + getIpAddress().getHostAddress() + ":" + getPort());
            be.initCause(e);
            throw be;
        }
        server = bound.channel();
    }

    @Override
    public void stop() {
        Channel s = server;
        if (s == null) {
            return;
        }
        server = null;
        s.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        for (StreamMessageChannel c : List.copyOf(channels.values())) {
            c.close();
        }
        channels.clear();
        transport.release();
    }

    /** A peer connected to us: counted against the caps, or closed at once. */
    private void accepted(Channel ch) throws IOException {
        InetSocketAddress remote = (InetSocketAddress) ch.remoteAddress();
        if (server == null || !transport.admit(remote.getAddress(), true)) {
            ch.close();
            return;
        }
        ch.closeFuture().addListener(f -> transport.closed(remote.getAddress(), true));
        StreamMessageChannel c = new StreamMessageChannel(this, ch, remote);
        channels.put(c.getKey(), c);
        ChannelPipeline p = ch.pipeline();
        if (tls) {
            SslHandler ssl = new SslHandler(network.serverEngine());
            ssl.setHandshakeTimeoutMillis(HANDSHAKE_TIMEOUT_MS);
            p.addLast(ssl);
        }
        // A connection a peer opened and left silent is closed (its owner may reconnect).
        p.addLast(new IdleStateHandler(0, 0, transport.settings.idleTimeoutSeconds()));
        p.addLast(new SipStreamDecoder(transport.settings.maxMessageBytes(),
                transport.settings.messageReadTimeoutSeconds() * 1000L));
        p.addLast(new StreamHandler(c, this));
    }

    static final int HANDSHAKE_TIMEOUT_MS = 10_000;

    /**
     * Starts connecting a channel of ours; never waits. The caller hears of the outcome through
     * the returned future (on an event loop).
     *
     * @throws IOException when the connection cap is reached (nothing is started)
     */
    ChannelFuture connect(StreamMessageChannel c, String host) throws IOException {
        InetAddress peer = c.getPeerInetAddressForTransport();
        javax.net.ssl.SSLEngine engine = tls ? network.clientEngine(host, c.getPeerPort()) : null; // may throw: before counting
        if (!transport.admit(peer, false)) {
            throw new IOException("no connection to " + peer.getHostAddress() + ":" + c.getPeerPort()
                    + ": all " + transport.settings.maxConnections() + " TCP/TLS connections are in use");
        }
        Bootstrap b = new Bootstrap()
                .group(transport.loops())
                .channel(transport.socketType())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, network.connectTimeoutMs())
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ChannelPipeline p = ch.pipeline();
                        if (engine != null) {
                            SslHandler ssl = new SslHandler(engine);
                            ssl.setHandshakeTimeoutMillis(HANDSHAKE_TIMEOUT_MS);
                            p.addLast(ssl);
                        }
                        // RFC 5626 keep-alive: a double CRLF when we have sent nothing for a while,
                        // so a registration's connection (and NAT bindings on the way) stays up.
                        p.addLast(new IdleStateHandler(0, Math.max(1, transport.settings.idleTimeoutSeconds() / 2), 0));
                        p.addLast(new SipStreamDecoder(transport.settings.maxMessageBytes(),
                transport.settings.messageReadTimeoutSeconds() * 1000L));
                        p.addLast(new StreamHandler(c, StreamMessageProcessor.this));
                    }
                });
        InetSocketAddress remote = new InetSocketAddress(peer, c.getPeerPort());
        ChannelFuture f = getIpAddress().isAnyLocalAddress() ? b.connect(remote)
                : b.connect(remote, new InetSocketAddress(getIpAddress(), 0));
        f.channel().closeFuture().addListener(x -> transport.closed(peer, false));
        return f;
    }

    /** Queues work for the workers, in its call's lane. */
    void dispatch(StreamTransport.Work w) {
        transport.dispatch(w);
    }

    private final java.util.List<Runnable> closeListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** A channel closed: later sends to that peer get a new one; whoever watches connections hears of it. */
    void forget(StreamMessageChannel c) {
        if (channels.remove(c.mapKey(), c)) {
            closeListeners.forEach(Runnable::run);
        }
    }

    @Override
    public void onClose(Runnable listener) {
        closeListeners.add(listener);
    }

    @Override
    public MessageChannel createMessageChannel(HostPort target) throws IOException {
        InetAddress address = target.getInetAddress();
        return channelTo(address, target.getPort() > 0 ? target.getPort() : getDefaultTargetPort(),
                target.getHost().getHostname());
    }

    @Override
    public MessageChannel createMessageChannel(InetAddress address, int port) throws IOException {
        return channelTo(address, port, GatewayNetworkLayer.hostOf(address));
    }

    /** The open channel to that peer, or a new one that connects when first used. */
    StreamMessageChannel channelTo(InetAddress address, int port, String host) throws IOException {
        if (server == null) {
            throw new IOException(getTransport() + " listening point is stopped");
        }
        // A TLS connection made to prove a proxy's name is that name's alone: another name leading
        // to the same address gets a connection (and a certificate check) of its own.
        String name = tls ? network.expectedTlsName() : null;
        String key = channelKey(address, port, name);
        String peer = name == null ? host : name;
        return channels.compute(key, (k, existing) -> existing != null && !existing.isClosed() ? existing
                : new StreamMessageChannel(this, address, port, peer, k));
    }

    private String channelKey(InetAddress address, int port, String tlsName) {
        String key = MessageChannel.getKey(address, port, getTransport());
        return tlsName == null ? key : key + "|" + tlsName;
    }

    @Override
    public boolean open(String ip, int port, String tlsName) {
        InetAddress address = eu.minivoice.gateway.domain.IpRange.literalAddress(ip);
        if (address == null) {
            return false;
        }
        StreamMessageChannel c = channels.get(channelKey(address, port, tls ? tlsName : null));
        return c != null && !c.isClosed();
    }

    @Override
    public SIPTransactionStack getSIPStack() {
        return sipStack;
    }

    @Override
    public int getDefaultTargetPort() {
        return tls ? 5061 : 5060;
    }

    @Override
    public boolean isSecure() {
        return tls;
    }

    @Override
    public int getMaximumMessageSize() {
        return transport.settings.maxMessageBytes();
    }

    @Override
    public boolean inUse() {
        return !channels.isEmpty();
    }
}
