package eu.minivoice.gateway.bench;

import com.sun.net.httpserver.HttpServer;
import eu.minivoice.gateway.Gateway;
import eu.minivoice.gateway.config.ConfigLoader;
import eu.minivoice.gateway.config.GatewayConfig;
import eu.minivoice.gateway.domain.CallInfo;
import eu.minivoice.gateway.domain.RandomIdGenerator;
import eu.minivoice.gateway.domain.StoredEvent;
import eu.minivoice.gateway.events.CallEvents;
import eu.minivoice.gateway.events.Outbox;
import eu.minivoice.gateway.support.FreePorts;
import eu.minivoice.gateway.support.Http;

import java.io.InputStream;
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
import java.util.concurrent.Executors;
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
        List<HttpServer> receivers = new ArrayList<>();
        for (int i = 0; i < endpoints; i++) {
            HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1000);
            s.createContext("/", ex -> {
                byte[] body;
                try (InputStream in = ex.getRequestBody()) {
                    body = in.readAllBytes();
                }
                long now = System.nanoTime();
                // the envelope starts {"id":"evt_…" — cheap to pick out
                String head = new String(body, 0, Math.min(body.length, 64), StandardCharsets.UTF_8);
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
                ex.sendResponseHeaders(204, -1);
                ex.close();
            });
            s.setExecutor(Executors.newFixedThreadPool(2));
            s.start();
            receivers.add(s);
        }

        Path data = Files.createTempDirectory("mv-bench-webhooks-");
        Map<String, String> env = new HashMap<>();
        env.put("MINIVOICE_DATA_DIR", data.toString());
        env.put("MINIVOICE_ADMIN_PORT", Integer.toString(FreePorts.next()));
        env.put("MINIVOICE_SIP_EXTERNAL_PORT", Integer.toString(FreePorts.next()));
        env.put("MINIVOICE_SIP_INTERNAL_PORT", Integer.toString(FreePorts.next()));
        env.put("MINIVOICE_API_KEY", KEY);
        GatewayConfig config = new ConfigLoader().load(Path.of("config/gateway.yml"), env);
        Gateway gateway = new Gateway(config, Clock.systemUTC(), new RandomIdGenerator(new SecureRandom()), s -> { });
        gateway.start();
        Http http = new Http("http://127.0.0.1:" + gateway.adminPort());
        List<String> apps = new ArrayList<>();
        for (int i = 0; i < endpoints; i++) {
            String url = "http://127.0.0.1:" + receivers.get(i).getAddress().getPort() + "/events";
            apps.add(http.post("/v1/applications", KEY, "{\"name\":\"bench-" + i + "\",\"webhook_url\":\"" + url
                    + "\"}").data().get("id").asText());
        }
        Outbox outbox = gateway.outbox();
        CallEvents events = gateway.callEvents();
        String[] types = {"call.initiated", "call.ringing", "call.answered", "call.completed"};

        // Warm-up: 2 s at the target rate (JIT, connections), not measured; wait until it drained.
        publish(outbox, events, apps, types, rate, 2, enqueuedAt, "warm");
        long warmDeadline = System.nanoTime() + 60_000_000_000L;
        while (!enqueuedAt.isEmpty() && System.nanoTime() < warmDeadline) {
            Thread.sleep(50);
        }
        received.set(0);
        duplicates.set(0);

        long refusedBefore = outbox.refusedCount();
        long start = System.nanoTime();
        publish(outbox, events, apps, types, rate, seconds, enqueuedAt, "run");
        long published = System.nanoTime();
        long deadline = published + 30_000_000_000L;
        while (received.get() < total && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        long got = received.get();
        double elapsed = (lastReceipt.get() - start) / 1e9;
        long[] lat = Arrays.copyOf(latencies, (int) Math.min(got, latencies.length));
        Arrays.sort(lat);
        System.out.printf("events published: %d at %d/s over %d s to %d endpoint(s); refused: %d%n", total, rate,
                seconds, endpoints, outbox.refusedCount() - refusedBefore);
        System.out.printf("delivered: %d (%.1f%%), duplicates: %d, in %.2f s = %.0f events/s%n", got,
                100.0 * got / total, duplicates.get(), elapsed, got / elapsed);
        if (lat.length > 0) {
            System.out.printf("enqueue-to-delivery latency ms: p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f%n",
                    pct(lat, 50), pct(lat, 90), pct(lat, 99), pct(lat, 99.9), lat[lat.length - 1] / 1e6);
        }
        System.out.printf("dispatcher: %s%n", gateway.dispatcherStats());
        gateway.close();
        receivers.forEach(s -> s.stop(0));
        System.exit(0);
    }

    private static double pct(long[] sorted, double p) {
        int i = (int) Math.min(sorted.length - 1, Math.ceil(p / 100.0 * sorted.length) - 1);
        return sorted[Math.max(i, 0)] / 1e6;
    }

    /** Paced publishing: event k goes out at start + k/rate (no coordinated omission of a stall). */
    private static void publish(Outbox outbox, CallEvents events, List<String> apps, String[] types, int rate,
                                int seconds, Map<String, Long> enqueuedAt, String tag) {
        long start = System.nanoTime();
        long n = (long) rate * seconds;
        double gap = 1e9 / rate;
        for (long k = 0; k < n; k++) {
            long due = start + (long) (k * gap);
            long wait = due - System.nanoTime();
            if (wait > 50_000) {
                LockSupport.parkNanos(wait);
            }
            long call = k / types.length;
            String app = apps.get((int) (call % apps.size()));
            CallInfo info = new CallInfo("call_" + tag + call, "cust_default", app, "trunk_b", "ringing", "inbound",
                    "+15551230001", "+15551230002");
            StoredEvent e = events.event(types[(int) (k % types.length)], info, Map.of(), Map.of("n", k), Instant.now());
            enqueuedAt.put(e.id(), System.nanoTime());
            outbox.publish(e);
        }
    }
}
