package eu.minivoice.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/security.md rule 9, held by the files themselves: the shipped docker-compose.yml publishes
 * neither the internal SIP port nor the admin port beyond the host and trusts only a named platform
 * network; the image runs as a non-root user; the build context leaves local data out.
 */
class DeploymentFilesTest {
    @Test
    void composePublishesOnlyTheCarrierSideAndTheAdminPortOnLoopback() throws Exception {
        JsonNode gw = new ObjectMapper(new YAMLFactory()).readTree(Path.of("docker-compose.yml").toFile())
                .get("services").get("gateway");
        for (JsonNode p : gw.get("ports")) {
            String port = p.asText();
            assertFalse(port.contains("5080"), "the internal SIP port is never published: " + port);
            if (port.contains("8080")) {
                assertTrue(port.startsWith("127.0.0.1:"), "the admin port is published on the host's loopback only: " + port);
            }
        }
        // The cluster profile's nodes (docs/scale-out.md) follow the same rule.
        JsonNode services = new ObjectMapper(new YAMLFactory()).readTree(Path.of("docker-compose.yml").toFile())
                .get("services");
        for (String node : List.of("node-a", "node-b")) {
            for (JsonNode p : services.get(node).get("ports")) {
                String port = p.asText();
                assertFalse(port.contains("5080"), node + ": the internal SIP port is never published: " + port);
                if (port.contains(":8080/")) {
                    assertTrue(port.startsWith("127.0.0.1:"), node + ": admin on the host's loopback only: " + port);
                }
            }
        }
        JsonNode env = gw.get("environment");
        String platform = new ObjectMapper(new YAMLFactory()).readTree(Path.of("docker-compose.yml").toFile())
                .get("networks").get("platform").get("ipam").get("config").get(0).get("subnet").asText();
        assertEquals(platform, env.get("MINIVOICE_TRUSTED_CIDRS").asText(), "only the platform network is trusted");
        assertTrue(env.has("MINIVOICE_SIP_INTERNAL_BIND"));
    }

    @Test
    void theImageRunsAsAnUnprivilegedUserAndTheBuildLeavesDataOut() throws Exception {
        List<String> docker = Files.readAllLines(Path.of("Dockerfile"));
        String user = docker.stream().filter(l -> l.startsWith("USER ")).reduce((a, b) -> b).orElse("USER root");
        assertFalse(user.contains("root") || user.matches("USER 0(:.*)?"), user);
        List<String> ignore = Files.readAllLines(Path.of(".dockerignore"));
        assertTrue(ignore.contains("data/") && ignore.contains("target/"), ignore.toString());
    }

    /** The documentation stands alone: no file outside the repository, no tracker numbers. */
    @Test
    void theDocsReferToNothingOutsideTheRepository() throws Exception {
        List<Path> files = new java.util.ArrayList<>(List.of(Path.of("README.md"), Path.of("config/gateway.yml")));
        try (var docs = Files.list(Path.of("docs"))) {
            docs.filter(f -> f.toString().endsWith(".md")).forEach(files::add);
        }
        java.util.regex.Pattern outside = java.util.regex.Pattern.compile(
                "\\.\\./[A-Za-z]|DESIGN\\.md|BENCHMARKING\\.md|DESIGN §|\\b[Ii]ssues? #?\\d+");
        for (Path f : files) {
            String text = Files.readString(f);
            var m = outside.matcher(text);
            assertFalse(m.find(), f + " refers outside the repository: \"" + (m.hitEnd() ? "" : m.group()) + "\"");
        }
        assertTrue(Files.exists(Path.of("docs/product.md")), "the product description lives in docs/");
    }
}
