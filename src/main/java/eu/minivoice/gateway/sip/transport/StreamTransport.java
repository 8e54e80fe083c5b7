package eu.minivoice.gateway.sip.transport;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a stack's TCP and TLS listening points share: the Netty event loops that do the socket I/O
 * of every connection (epoll where available; no thread per connection), the workers that process
 * the messages cut from the streams — ordered by Call-ID through {@link CallIdLanes}, as UDP is —
 * and the connection caps (docs/sip.md, "TCP and TLS").
 *
 * <p>Started by the first stream listening point, stopped with the last one.
 */
final class StreamTransport {
    private static final Logger log = LoggerFactory.getLogger(StreamTransport.class);
    /** Messages waiting for a worker, at most (as for UDP). */
    static final int MAX_QUEUED = 50_000;

    /** The limits, from the stack's properties (set by the SIP server from sip.tcp_*). */
    record Settings(int workers, int ioThreads, int maxConnections, int maxConnectionsPerAddress,
                    int idleTimeoutSeconds, int messageReadTimeoutSeconds, int maxMessageBytes, String stackName) {
    }

    /** Work for a worker: a message cut from a stream, or a failure to report, in its call's lane. */
    record Work(int callIdHash, long receivedAt, Runnable run) {
    }

    final Settings settings;
    private final boolean epoll = Epoll.isAvailable();
    private EventLoopGroup loops;
    private volatile CallIdLanes<Work> lanes;
    private final List<Thread> workers = new ArrayList<>();
    private int users;

    private final AtomicInteger connections = new AtomicInteger();
    private final Map<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();
    private final AtomicLong refused = new AtomicLong();
    private volatile long lastRefusalLog;

    StreamTransport(Settings settings) {
        this.settings = settings;
    }

    synchronized void acquire() {
        if (users++ > 0) {
            return;
        }
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        loops = new MultiThreadIoEventLoopGroup(settings.ioThreads(),
                new DefaultThreadFactory(settings.stackName() + "-sip-io", true), io);
        lanes = new CallIdLanes<>(MAX_QUEUED, 0, System::currentTimeMillis, "TCP/TLS messages",
                new CallIdLanes.Message<>() {
                    @Override
                    public int callIdHash(Work w) {
                        return w.callIdHash();
                    }

                    @Override
                    public long receivedAt(Work w) {
                        return w.receivedAt();
                    }
                });
        for (int i = 0; i < settings.workers(); i++) {
            Thread t = new Thread(this::work, settings.stackName() + "-sip-stream-" + i);
            t.setDaemon(true);
            workers.add(t);
            t.start();
        }
        log.debug("stream transport started ({}, {} workers)", epoll ? "epoll" : "nio", settings.workers());
    }

    synchronized void release() {
        if (--users > 0) {
            return;
        }
        for (Thread t : workers) {
            t.interrupt();
        }
        workers.clear();
        loops.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    }

    EventLoopGroup loops() {
        return loops;
    }

    Class<? extends Channel> socketType() {
        return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    Class<? extends ServerChannel> serverType() {
        return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /** How far behind the stream workers are (see {@link CallIdLanes#delayMillis()}); 0 before the first start. */
    long delayMillis() {
        CallIdLanes<Work> l = lanes;
        return l == null ? 0 : l.delayMillis();
    }

    /** Queues work for the workers, after the earlier work of the same call. */
    void dispatch(Work w) {
        lanes.offer(w);
    }

    private void work() {
        while (true) {
            Work w;
            try {
                w = lanes.take();
            } catch (InterruptedException e) {
                return; // stopped
            }
            try {
                w.run().run();
            } catch (RuntimeException e) {
                log.warn("processing a TCP/TLS message failed: {}", e.toString(), e);
            }
        }
    }

    /**
     * Counts a new connection, or refuses it when the total or (for one a peer opened) its source
     * address is at the limit. A refused connection is closed at once and counted.
     */
    boolean admit(InetAddress peer, boolean accepted) {
        if (connections.incrementAndGet() > settings.maxConnections()) {
            connections.decrementAndGet();
            noteRefusal("all " + settings.maxConnections() + " TCP/TLS connections are in use");
            return false;
        }
        if (accepted) {
            boolean[] room = {false};
            perAddress.compute(peer, (k, n) -> {
                int now = n == null ? 0 : n;
                if (now >= settings.maxConnectionsPerAddress()) {
                    return n;
                }
                room[0] = true;
                return now + 1;
            });
            if (!room[0]) {
                connections.decrementAndGet();
                noteRefusal(peer.getHostAddress() + " already has " + settings.maxConnectionsPerAddress() + " connections");
                return false;
            }
        }
        return true;
    }

    /** A connection admitted by {@link #admit} closed. */
    void closed(InetAddress peer, boolean accepted) {
        connections.decrementAndGet();
        if (accepted) {
            perAddress.computeIfPresent(peer, (k, n) -> n <= 1 ? null : n - 1);
        }
    }

    private void noteRefusal(String why) {
        long n = refused.incrementAndGet();
        long now = System.currentTimeMillis();
        if (now - lastRefusalLog > 10_000) {
            lastRefusalLog = now;
            log.warn("TCP/TLS connection refused: {} ({} refused so far)", why, n);
        }
    }
}
