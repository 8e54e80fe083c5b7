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
public final class Sipp {
    public record Result(int exitCode, String output) {
    }

    private Sipp() {
    }

    /**
     * @param scenario file name under sipp-scenarios/
     * @param target   host:port the scenario sends to
     * @param extra    further SIPp options (e.g. "-t", "t1" for TCP)
     */
    public static Result run(String scenario, String target, String... extra) throws IOException, InterruptedException {
        Path file = Path.of("sipp-scenarios", scenario);
        if (!Files.exists(file)) {
            throw new IllegalArgumentException("no scenario " + file);
        }
        Path log = Files.createTempFile("sipp-", ".log");
        List<String> cmd = new ArrayList<>(List.of("sipp", target, "-sf", file.toString(),
                "-i", "127.0.0.1", "-p", Integer.toString(FreePorts.next()),
                "-mp", Integer.toString(FreePorts.next()), "-cp", Integer.toString(FreePorts.next()),
                "-m", "1", "-l", "1", "-nostdin", "-timeout", "20s", "-timeout_error", "-recv_timeout", "8000"));
        cmd.addAll(List.of(extra));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                return new Result(-1, "sipp did not finish in 30 s\n" + Files.readString(log));
            }
            return new Result(p.exitValue(), Files.readString(log));
        } finally {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
            Files.deleteIfExists(log);
        }
    }
}
