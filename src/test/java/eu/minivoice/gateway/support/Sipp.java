package eu.minivoice.gateway.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real {@code sipp} binary with a scenario from sipp-scenarios/. The verdict is SIPp's
 * exit code (0 = every call passed). Every run uses its own free signalling, media and control
 * ports, is bounded in time, and its process is killed whatever happens.
 */
public final class Sipp implements AutoCloseable {
    public record Result(int exitCode, String output) {
    }

    private final Process process;
    private final Path log;
    public final int port;

    private Sipp(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /**
     * Starts SIPp in the background.
     *
     * @param scenario file name under sipp-scenarios/
     * @param target   host:port the scenario sends to, or null for a scenario that waits (server)
     * @param extra    further SIPp options (e.g. "-t", "t1" for TCP)
     */
    public static Sipp start(String scenario, String target, String... extra) throws IOException {
        return start(scenario, target, FreePorts.next(), extra);
    }

    /** A waiting (server) scenario on a given port. */
    public static Sipp startOnPort(String scenario, int port, String... extra) throws IOException {
        return start(scenario, null, port, extra);
    }

    private static Sipp start(String scenario, String target, int port, String... extra) throws IOException {
        Path file = Path.of("sipp-scenarios", scenario);
        if (!Files.exists(file)) {
            throw new IllegalArgumentException("no scenario " + file);
        }
        Path log = Files.createTempFile("sipp-", ".log");
        List<String> cmd = new ArrayList<>(List.of("sipp"));
        if (target != null) {
            cmd.add(target);
        }
        boolean ownAddress = List.of(extra).contains("-i");
        cmd.addAll(List.of("-sf", file.toString()));
        if (!ownAddress) {
            cmd.addAll(List.of("-i", "127.0.0.1"));
        }
        cmd.addAll(List.of("-p", Integer.toString(port),
                "-mp", Integer.toString(FreePorts.nextMediaPort()), "-cp", Integer.toString(FreePorts.next()),
                "-m", "1", "-l", "1", "-nostdin", "-timeout", "40s", "-timeout_error", "-recv_timeout", "20000"));
        cmd.addAll(List.of(extra));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new Sipp(p, log, port);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for SIPp to finish (bounded), then kills it regardless. */
    public Result await() throws IOException, InterruptedException {
        try {
            if (!process.waitFor(50, TimeUnit.SECONDS)) {
                return new Result(-1, "sipp did not finish in 50 s\n" + Files.readString(log));
            }
            return new Result(process.exitValue(), Files.readString(log));
        } finally {
            close();
        }
    }

    public static Result run(String scenario, String target, String... extra) throws IOException, InterruptedException {
        try (Sipp sipp = start(scenario, target, extra)) {
            return sipp.await();
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
            Files.deleteIfExists(log);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException ignored) {
            // a leftover temp file is harmless
        }
    }
}
