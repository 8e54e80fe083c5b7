package eu.minivoice.gateway.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import eu.minivoice.gateway.Gateway;
import eu.minivoice.gateway.config.ConfigLoader;
import eu.minivoice.gateway.config.GatewayConfig;
import eu.minivoice.gateway.domain.CallInfo;
import eu.minivoice.gateway.domain.RandomIdGenerator;
import eu.minivoice.gateway.domain.StoredEvent;
import eu.minivoice.gateway.events.CallEvents;
import eu.minivoice.gateway.http.NettyWebhookClient;
import eu.minivoice.gateway.events.Outbox;
import eu.minivoice.gateway.support.FreePorts;
import eu.minivoice.gateway.support.Http;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Webhook dispatcher benchmark (issue 4), run by bench/webhooks/run.sh — not a test. Boots the real
 * gateway in-process on a fresh embedded H2 database, creates one application per local receiver
 * (each receiver is its own endpoint), then publishes call events at a fixed rate through the
 * durable outbox (4 events per call, so per-call ordering is in play) and measures, at the
 * receivers, delivered events per second and enqueue-to-delivery latency.
 *
 * <p>Arguments: rate (events/s), seconds, endpoints.
 */
public final class OutboxBench {
    private static final String KEY = "bench-key-0123456789abcdef";

    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int endpoints = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        int total = rate * seconds;

        Map<String, Long> enqueuedAt = new ConcurrentHashMap<>(total * 2);
        long[] latencies = new long[total];
        AtomicLong received = new AtomicLong();
        AtomicLong duplicates = new AtomicLong();
        AtomicLong lastReceipt = new AtomicLong();
        // Receivers: Netty, one event loop for all of them — a light receiver leaves the 2 cores to
        // the gateway (a real customer's receiver is on another machine).
        EventLoopGroup loop = new NioEventLoopGroup(1);
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < endpoints; i++) {
            Channel ch = new ServerBootstrap().group(loop).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel c) {
                            c.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20),
                                    new SimpleChannelInboundHandler<FullHttpRequest>() {
                                        @Override
                                        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                                            long now = System.nanoTime();
                                            // the envelope starts {"id":"evt_…" — cheap to pick out
                                            String head = req.content().toString(0,
                                                    Math.min(req.content().readableBytes(), 64), StandardCharsets.UTF_8);
                                            String id = head.substring(7, head.indexOf('"', 7));
                                            Long t0 = enqueuedAt.remove(id);
                                            if (t0 == null) {
                                                duplicates.incrementAndGet();
                                            } else {
                                                long n = received.getAndIncrement();
                                                if (n < latencies.length) {
                                                    latencies[(int) n] = now - t0;
                                                }
                                            }
                                            lastReceipt.set(now);
                                            DefaultFullHttpResponse res = new DefaultFullHttpResponse(
                                                    HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
                                            ctx.writeAndFlush(res);
                                        }
                                    });
                        }
                    }).bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
            ports.add(((InetSocketAddress) ch.localAddress()).getPort());
        }

        Path data = Files.createTempDirectory("mv-bench-webhooks-");
        Map<String, String> env = new HashMap<>();
        env.put("MINIVOICE_DATA_DIR", data.toString());
        env.put("MINIVOICE_ADMIN_PORT", Integer.toString(FreePorts.next()));
        env.put("MINIVOICE_SIP_EXTERNAL_PORT", Integer.toString(FreePorts.next()));
        env.put("MINIVOICE_SIP_INTERNAL_PORT", Integer.toString(FreePorts.next()));
        env.put("MINIVOICE_API_KEY", KEY);
        env.put("MINIVOICE_SECURITY_ALLOWED_PRIVATE_CIDRS", "127.0.0.0/8,::1/128");
        if (eu.minivoice.gateway.support.TestGateway.onPostgres()) {
            // The outbox on a throw-away PostgreSQL server (support/Postgres), as the postgres tests use.
            env.put("MINIVOICE_DATABASE_URL", eu.minivoice.gateway.support.Postgres.shared().databaseFor(data));
            env.put("MINIVOICE_DATABASE_USER", eu.minivoice.gateway.support.Postgres.USER);
        }
        GatewayConfig config = new ConfigLoader().load(Path.of("config/gateway.yml"), env);
        Gateway gateway = new Gateway(config, Clock.systemUTC(), new RandomIdGenerator(new SecureRandom()), s -> { });
        gateway.start();
        Http http = new Http("http://127.0.0.1:" + gateway.adminPort());
        List<String> apps = new ArrayList<>();
        for (int i = 0; i < endpoints; i++) {
            String url = "http://127.0.0.1:" + ports.get(i) + "/events";
            apps.add(http.post("/v1/applications", KEY, "{\"name\":\"bench-" + i + "\",\"webhook_url\":\"" + url
                    + "\"}").data().get("id").asText());
        }
        Outbox outbox = gateway.outbox();
        CallEvents events = gateway.callEvents();
        // EVENTS_PER_CALL=1 (bench/webhooks/run.sh) gives every event a call of its own: no per-call
        // chains, so the durable path's own cost shows apart from the order's round trips.
        String[] types = java.util.Arrays.copyOf(new String[] {"call.initiated", "call.ringing", "call.answered",
                "call.completed"}, Math.max(1, Math.min(4, Integer.getInteger("bench.eventsPerCall", 4))));

        // Warm-up: 2 s at the target rate (JIT, connections), not measured; wait until it drained.
        publish(outbox, events, apps, types, rate, 2, enqueuedAt, "warm");
        long warmDeadline = System.nanoTime() + 60_000_000_000L;
        while (!enqueuedAt.isEmpty() && System.nanoTime() < warmDeadline) {
            Thread.sleep(50);
        }
        received.set(0);
        duplicates.set(0);

        // Baseline in the same run: the same HTTP client POSTing the same envelopes straight to the
        // same receivers (no database, no outbox, 8 in flight per endpoint) — the harness limit.
        {
            NettyWebhookClient direct = new NettyWebhookClient(java.time.Duration.ofSeconds(2), 2,
                    eu.minivoice.gateway.domain.AddressPolicy.allowing(java.util.List.of("127.0.0.0/8")));
            java.util.concurrent.Semaphore[] slots = new java.util.concurrent.Semaphore[endpoints];
            for (int i = 0; i < endpoints; i++) {
                slots[i] = new java.util.concurrent.Semaphore(8);
            }
            long t0 = System.nanoTime();
            long n = (long) rate * seconds;
            paced(rate, n, k -> {
                int ep = (int) ((k / types.length) % endpoints);
                StoredEvent e = events.event(types[(int) (k % types.length)], new CallInfo("call_d" + k / 4,
                        "cust_default", apps.get(ep), "trunk_b", "ringing", "inbound", "+15551230001", "+15551230002"),
                        Map.of(), Map.of("n", k), Instant.now());
                enqueuedAt.put(e.id(), System.nanoTime());
                slots[ep].acquireUninterruptibly();
                direct.post(java.net.URI.create("http://127.0.0.1:" + ports.get(ep) + "/events"), Map.of(),
                        e.payload().getBytes(StandardCharsets.UTF_8), java.time.Duration.ofSeconds(2), 1024)
                        .whenComplete((o, x) -> slots[ep].release());
            });
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (received.get() < n && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            report("direct (no outbox)", n, rate, seconds, endpoints, 0, received.get(), duplicates.get(),
                    (lastReceipt.get() - t0) / 1e9, latencies);
            direct.close();
            received.set(0);
            duplicates.set(0);
            enqueuedAt.clear();
        }

        long refusedBefore = outbox.refusedCount();
        long start = System.nanoTime();
        publish(outbox, events, apps, types, rate, seconds, enqueuedAt, "run");
        long published = System.nanoTime();
        long deadline = published + 30_000_000_000L;
        while (received.get() < total && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        report("durable outbox", total, rate, seconds, endpoints, outbox.refusedCount() - refusedBefore,
                received.get(), duplicates.get(), (lastReceipt.get() - start) / 1e9, latencies);
        System.out.printf("dispatcher: %s%n", gateway.dispatcherStats());
        gateway.close();
        loop.shutdownGracefully();
        // The database is gigabytes after a run: nothing in it is looked at afterwards.
        try (java.util.stream.Stream<Path> files = Files.walk(data)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
        System.exit(0);
    }

    private static void report(String what, long total, int rate, int seconds, int endpoints, long refused, long got,
                               long duplicates, double elapsed, long[] latencies) {
        long[] lat = Arrays.copyOf(latencies, (int) Math.min(got, latencies.length));
        Arrays.sort(lat);
        System.out.printf("== %s: %d events at %d/s over %d s to %d endpoint(s); refused: %d%n", what, total, rate,
                seconds, endpoints, refused);
        System.out.printf("delivered: %d (%.1f%%), duplicates: %d, in %.2f s = %.0f events/s%n", got,
                100.0 * got / total, duplicates, elapsed, got / elapsed);
        if (lat.length > 0) {
            System.out.printf("enqueue-to-delivery latency ms: p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f%n",
                    pct(lat, 50), pct(lat, 90), pct(lat, 99), pct(lat, 99.9), lat[lat.length - 1] / 1e6);
        }
    }

    private static double pct(long[] sorted, double p) {
        int i = (int) Math.min(sorted.length - 1, Math.ceil(p / 100.0 * sorted.length) - 1);
        return sorted[Math.max(i, 0)] / 1e6;
    }

    /** Paced publishing through the outbox. */
    private static void publish(Outbox outbox, CallEvents events, List<String> apps, String[] types, int rate,
                                int seconds, Map<String, Long> enqueuedAt, String tag) {
        paced(rate, (long) rate * seconds, k -> {
            long call = k / types.length;
            String app = apps.get((int) (call % apps.size()));
            CallInfo info = new CallInfo("call_" + tag + call, "cust_default", app, "trunk_b", "ringing", "inbound",
                    "+15551230001", "+15551230002");
            StoredEvent e = events.event(types[(int) (k % types.length)], info, Map.of(), Map.of("n", k), Instant.now());
            enqueuedAt.put(e.id(), System.nanoTime());
            outbox.publish(e);
        });
    }

    /** Runs {@code n} steps, step k at start + k/rate (no coordinated omission of a stall). */
    private static void paced(int rate, long n, java.util.function.LongConsumer step) {
        long start = System.nanoTime();
        double gap = 1e9 / rate;
        for (long k = 0; k < n; k++) {
            long wait = start + (long) (k * gap) - System.nanoTime();
            if (wait > 50_000) {
                LockSupport.parkNanos(wait);
            }
            step.accept(k);
        }
    }
}
