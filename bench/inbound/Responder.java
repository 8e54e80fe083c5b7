import com.sun.net.httpserver.HttpServer;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The application's webhook for the inbound benchmark: answers every POST with the same actions
 * (a JSON file). Run as a single-file program: java bench/inbound/Responder.java PORT ACTIONS.json
 * Prints the number of requests answered when stopped.
 */
public final class Responder {
    public static void main(String[] args) throws Exception {
        // Without it the JDK server's Nagle holds the body behind the headers until the client's
        // delayed ACK: +40 ms per answer, a property of this responder, not of the gateway.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        int port = Integer.parseInt(args[0]);
        byte[] body = Files.readAllBytes(Path.of(args[1]));
        AtomicLong answered = new AtomicLong();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 1024);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                in.readAllBytes();
            }
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
            answered.incrementAndGet();
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
                System.out.println("responder answered " + answered.get() + " request(s)")));
        server.start();
        System.out.println("responder on 127.0.0.1:" + port);
        Thread.currentThread().join();
    }
}
