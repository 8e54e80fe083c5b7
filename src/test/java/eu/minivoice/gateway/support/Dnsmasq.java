package eu.minivoice.gateway.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real DNS server on loopback for the tests: dnsmasq (Debian package dnsmasq-base, which the test
 * command installs), authoritative for {@code .test}, answering only the records given, on a free
 * port. Records are dnsmasq options ({@code --srv-host=…}, {@code --naptr-record=…},
 * {@code --host-record=…}); {@link #restart} serves new ones on the same port (a zone change).
 */
public final class Dnsmasq implements AutoCloseable {
    public final int port;
    private final int ttl;
    private final Path log;
    private Process process;

    private Dnsmasq(int port, int ttl, Path log) {
        this.port = port;
        this.ttl = ttl;
        this.log = log;
    }

    /** @param ttl seconds every answer may be cached */
    public static Dnsmasq start(int ttl, List<String> records) throws Exception {
        Dnsmasq d = new Dnsmasq(FreePorts.next(), ttl, Files.createTempFile("dnsmasq-", ".log"));
        d.launch(records);
        return d;
    }

    public String server() {
        return "127.0.0.1:" + port;
    }

    public synchronized void restart(List<String> records) throws Exception {
        stop();
        launch(records);
    }

    private void launch(List<String> records) throws Exception {
        String binary = Files.isExecutable(Path.of("/usr/sbin/dnsmasq")) ? "/usr/sbin/dnsmasq" : "dnsmasq";
        List<String> cmd = new ArrayList<>(List.of(binary, "--keep-in-foreground", "--log-facility=-", "--log-queries",
                "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--no-poll", "--pid-file=",
                "--port=" + port, "--listen-address=127.0.0.1", "--bind-interfaces", "--local=/test/",
                "--local-ttl=" + ttl, "--cache-size=0"));
        cmd.addAll(records);
        long from = Files.size(log); // the log is appended to across restarts
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.readString(log).substring((int) from).contains("using only locally-known addresses")) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("dnsmasq did not start: " + Files.readString(log));
            }
            Thread.sleep(20);
        }
    }

    /** What dnsmasq logged (one line per query with --log-queries). */
    public String log() throws IOException {
        return Files.readString(log);
    }

    private void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            process = null;
        }
    }

    @Override
    public synchronized void close() throws Exception {
        stop();
        Files.deleteIfExists(log);
    }
}
