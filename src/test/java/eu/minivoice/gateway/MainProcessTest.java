package eu.minivoice.gateway;

import eu.minivoice.gateway.support.FreePorts;
import eu.minivoice.gateway.support.Http;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The run contract (docs/product.md §7) as an operator meets it: a real JVM process, its exit codes, SIGTERM. */
class MainProcessTest {
    @TempDir
    Path dir;

    private Process launch(Map<String, String> env, String... args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new java.util.ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("out.log").toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("MINIVOICE_"));
        pb.environment().put("MINIVOICE_DATA_DIR", dir.resolve("data").toString());
        pb.environment().put("MINIVOICE_ADMIN_PORT", Integer.toString(FreePorts.next()));
        pb.environment().put("MINIVOICE_SIP_EXTERNAL_PORT", Integer.toString(FreePorts.next()));
        pb.environment().put("MINIVOICE_SIP_INTERNAL_PORT", Integer.toString(FreePorts.next()));
        pb.environment().putAll(env);
        return pb.start();
    }

    private int exitOf(Process p) throws Exception {
        try {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "process did not end");
            return p.exitValue();
        } finally {
            p.destroyForcibly();
        }
    }

    private String output() throws Exception {
        return Files.readString(dir.resolve("out.log"));
    }

    @Test
    void exitsWith2OnAnUnknownConfigKey() throws Exception {
        Path cfg = dir.resolve("bad.yml");
        Files.writeString(cfg, "admin:\n  prot: 8080\n");
        assertEquals(2, exitOf(launch(Map.of(), "--config", cfg.toString())));
        assertTrue(output().contains("unknown key 'admin.prot'"), output());
    }

    @Test
    void exitsWith2OnAWrongTypeOrBadYamlOrMissingFile() throws Exception {
        Path cfg = dir.resolve("bad.yml");
        Files.writeString(cfg, "sip:\n  threads: five\n");
        assertEquals(2, exitOf(launch(Map.of(), "--config", cfg.toString())));
        assertTrue(output().contains("'sip.threads'"), output());
        Files.writeString(cfg, "sip: [unclosed\n");
        assertEquals(2, exitOf(launch(Map.of(), "--config", cfg.toString())));
        assertTrue(output().contains("not valid YAML"), output());
        assertEquals(2, exitOf(launch(Map.of(), "--config", dir.resolve("absent.yml").toString())));
        assertEquals(2, exitOf(launch(Map.of("MINIVOICE_ADMIN_PORT", "http"))));
        assertTrue(output().contains("MINIVOICE_ADMIN_PORT"), output());
    }

    @Test
    void exitsWith3WhenTheAdminPortIsInUse() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Process p = launch(Map.of("MINIVOICE_ADMIN_PORT", Integer.toString(taken.getLocalPort())));
            assertEquals(3, exitOf(p));
        }
        assertTrue(output().contains("admin port 127.0.0.1:"), output());
        assertTrue(output().contains("already in use"), output());
    }

    @Test
    void exitsWith3WhenASipPortIsInUse() throws Exception {
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            Process p = launch(Map.of("MINIVOICE_SIP_EXTERNAL_PORT", Integer.toString(taken.getLocalPort())));
            assertEquals(3, exitOf(p));
        }
        assertTrue(output().contains("external SIP port 127.0.0.1:"), output());
        assertTrue(output().contains("already in use"), output());
    }

    @Test
    void becomesHealthyAndStopsCleanlyOnSigterm() throws Exception {
        int admin = FreePorts.next();
        Process p = launch(Map.of("MINIVOICE_ADMIN_PORT", Integer.toString(admin),
                "MINIVOICE_API_KEY", "process-test-key-0123456789"));
        try {
            Http http = new Http("http://127.0.0.1:" + admin);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            int status = 0;
            while (System.nanoTime() < deadline && p.isAlive()) {
                try {
                    status = http.get("/health", null).status();
                    if (status == 200) {
                        break;
                    }
                } catch (RuntimeException notYet) {
                    // not listening yet
                }
                Thread.sleep(100);
            }
            assertEquals(200, status, output());
            assertEquals("{\"data\":[],\"count\":0,\"next_cursor\":null}",
                    http.get("/v1/trunks", "process-test-key-0123456789").body());
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "no exit after SIGTERM");
            assertTrue(output().contains("MiniVoice gateway stopped"), output());
            assertFalse(output().contains("process-test-key-0123456789"), "the API key never reaches the log");
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void versionAndCheckConfigAnswerWithoutStartingAnything() throws Exception {
        assertEquals(0, exitOf(launch(Map.of(), "--version")));
        assertTrue(output().matches("(?s)minivoice-gateway \\d+\\.\\d+\\.\\d+.*"), output());
        assertEquals(0, exitOf(launch(Map.of("MINIVOICE_DATABASE_PASSWORD", "hunter2-secret"), "--check-config")));
        assertTrue(output().contains("configuration OK"), output());
        assertFalse(output().contains("hunter2-secret"), output());
        assertEquals(2, exitOf(launch(Map.of("MINIVOICE_SIP_THREADS", "none"), "--check-config")));
        assertTrue(output().contains("MINIVOICE_SIP_THREADS"), output());
        assertEquals(64, exitOf(launch(Map.of(), "--frobnicate")));
    }

    @Test
    void jsonLogsCarryTheLevelAndMessageAsJson() throws Exception {
        int admin = FreePorts.next();
        Process p = launch(Map.of("MINIVOICE_ADMIN_PORT", Integer.toString(admin), "MINIVOICE_LOG_FORMAT", "json",
                "MINIVOICE_API_KEY", "process-test-key-0123456789"));
        try {
            Http http = new Http("http://127.0.0.1:" + admin);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline && p.isAlive()) {
                try {
                    if (http.get("/health", null).status() == 200) {
                        break;
                    }
                } catch (RuntimeException notYet) {
                    // not listening yet
                }
                Thread.sleep(100);
            }
            p.destroy();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
            boolean ready = false;
            for (String line : output().split("\n")) {
                if (!line.startsWith("{")) {
                    continue; // e.g. the JVM's own warnings
                }
                var json = mapper.readTree(line);
                assertTrue(json.has("level") && json.has("loggerName"), line);
                ready |= json.path("formattedMessage").asText().startsWith("MiniVoice gateway ready");
            }
            assertTrue(ready, "the ready line as JSON:\n" + output());
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void theDefaultConfigFileIsFoundFromTheProjectRoot() {
        assertTrue(new File("config/gateway.yml").isFile());
    }
}
