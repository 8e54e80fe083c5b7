package eu.minivoice.gateway.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A local webhook receiver on loopback (JDK HTTP server): records every request and answers as
 * the test programs it. {@link #verify} is the receiver-side signature check of docs/webhooks.md,
 * written independently of the gateway's signer.
 */
public final class WebhookReceiver implements AutoCloseable {
    /** One received request. */
    public record Received(String path, Map<String, List<String>> headers, String body, long atNanos) {
        public String header(String name) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue().get(0);
                }
            }
            return null;
        }
    }

    /** An answer: status, body, extra headers, and a delay before answering. */
    public record Answer(int status, String body, Map<String, String> headers, Duration delay) {
        public static Answer of(int status) {
            return new Answer(status, "", Map.of(), Duration.ZERO);
        }

        public static Answer json(String body) {
            return new Answer(200, body, Map.of("Content-Type", "application/json"), Duration.ZERO);
        }
    }

    private final HttpServer server;
    private final String scheme;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "webhook-receiver");
        t.setDaemon(true);
        return t;
    });
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private volatile Function<Received, Answer> responder = r -> Answer.of(200);

    public WebhookReceiver() throws IOException {
        this(null);
    }

    /** With {@code tls} set, an HTTPS receiver using that context's (self-signed) certificate. */
    public WebhookReceiver(javax.net.ssl.SSLContext tls) throws IOException {
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        if (tls == null) {
            server = HttpServer.create(any, 100);
        } else {
            com.sun.net.httpserver.HttpsServer https = com.sun.net.httpserver.HttpsServer.create(any, 100);
            https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls));
            server = https;
        }
        scheme = tls == null ? "http" : "https";
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /**
     * An HTTPS receiver with a fresh self-signed certificate (made with keytool in {@code dir}):
     * nobody trusts it, so a client's handshake fails certificate validation.
     */
    public static WebhookReceiver selfSignedHttps(java.nio.file.Path dir) throws Exception {
        java.nio.file.Path ks = dir.resolve("receiver.p12");
        String keytool = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "r", "-keyalg", "EC", "-groupname",
                "secp256r1", "-dname", "CN=127.0.0.1", "-validity", "2", "-keystore", ks.toString(),
                "-storetype", "PKCS12", "-storepass", "receiver-pw").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("keytool failed");
        }
        java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
        try (InputStream in = java.nio.file.Files.newInputStream(ks)) {
            store.load(in, "receiver-pw".toCharArray());
        }
        javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(
                javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, "receiver-pw".toCharArray());
        javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return new WebhookReceiver(ctx);
    }

    public String url(String path) {
        return scheme + "://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    public void respond(Function<Received, Answer> responder) {
        this.responder = responder;
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    public List<Received> received(Predicate<Received> which) {
        return received.stream().filter(which).toList();
    }

    /** Waits until at least {@code n} matching requests arrived; returns them. */
    public List<Received> await(Predicate<Received> which, int n, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            List<Received> got = received(which);
            if (got.size() >= n) {
                return got;
            }
            Thread.sleep(20);
        }
        fail("expected " + n + " request(s) within " + within + ", got " + received(which).size() + ": " + received);
        return List.of();
    }

    private void handle(HttpExchange ex) throws IOException {
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readAllBytes();
        }
        Received r = new Received(ex.getRequestURI().getPath(), Map.copyOf(ex.getRequestHeaders()),
                new String(body, StandardCharsets.UTF_8), System.nanoTime());
        received.add(r);
        Answer a = responder.apply(r);
        if (!a.delay().isZero()) {
            try {
                Thread.sleep(a.delay().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        a.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
        byte[] out = a.body().getBytes(StandardCharsets.UTF_8);
        try {
            ex.sendResponseHeaders(a.status(), out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                try (OutputStream os = ex.getResponseBody()) {
                    os.write(out);
                }
            }
        } catch (IOException closedByClient) {
            // the gateway gave up (timeout, too large): nothing to answer to
        } finally {
            ex.close();
        }
    }

    /**
     * The receiver's check (docs/webhooks.md): parse {@code t} and {@code v1}, refuse a timestamp
     * outside the window, recompute HMAC-SHA256(secret, t + "." + raw body), compare in constant time.
     */
    public static boolean verify(String header, String body, String secret, long nowUnix, long windowSeconds)
            throws Exception {
        if (header == null) {
            return false;
        }
        String t = null;
        List<String> v1 = new ArrayList<>();
        for (String part : header.split(",")) {
            String[] kv = part.split("=", 2);
            if (kv.length != 2) {
                return false;
            }
            if (kv[0].equals("t")) {
                t = kv[1];
            } else if (kv[0].equals("v1")) {
                v1.add(kv[1]);
            }
        }
        if (t == null || v1.isEmpty() || !t.matches("\\d{1,12}")) {
            return false;
        }
        if (Math.abs(nowUnix - Long.parseLong(t)) > windowSeconds) {
            return false;
        }
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] expected = mac.doFinal((t + "." + body).getBytes(StandardCharsets.UTF_8));
        for (String candidate : v1) {
            byte[] given;
            try {
                given = HexFormat.of().parseHex(candidate);
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (MessageDigest.isEqual(expected, given)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
