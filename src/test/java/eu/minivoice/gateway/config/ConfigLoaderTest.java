package eu.minivoice.gateway.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest {
    private final ConfigLoader loader = new ConfigLoader();

    @TempDir
    Path dir;

    private Path file(String yaml) throws Exception {
        Path f = dir.resolve("gateway.yml");
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    void theShippedConfigLoadsWithTheDocumentedDefaults() throws Exception {
        GatewayConfig c = loader.load(Path.of("config/gateway.yml"), Map.of());
        assertEquals(8080, c.admin().port());
        assertEquals(5060, c.sip().externalPort());
        assertEquals(5080, c.sip().internalPort());
        assertEquals(List.of("udp", "tcp"), c.sip().transports());
        assertEquals("cust_default", c.customers().defaultCustomerId());
        assertTrue(c.database().embedded());
        assertEquals(Path.of("./data"), c.database().dataDir());
        assertFalse(c.sip().trace());
    }

    @Test
    void everyShippedKeyIsKnownAndEveryKnownKeyIsShipped() throws Exception {
        String shipped = Files.readString(Path.of("config/gateway.yml"));
        for (ConfigLoader.Key key : ConfigLoader.KEYS) {
            String leaf = key.path().substring(key.path().lastIndexOf('.') + 1);
            assertTrue(shipped.contains(leaf + ":"), "config/gateway.yml documents " + key.path());
        }
    }

    @Test
    void theRunContractEnvironmentVariablesOverrideTheFile() throws Exception {
        GatewayConfig c = loader.load(Path.of("config/gateway.yml"), Map.of(
                "MINIVOICE_API_KEY", "key-from-environment-123",
                "MINIVOICE_ADMIN_PORT", "9090",
                "MINIVOICE_ADMIN_BIND", "0.0.0.0",
                "MINIVOICE_SIP_BIND", "127.0.0.2",
                "MINIVOICE_SIP_EXTERNAL_PORT", "15060",
                "MINIVOICE_SIP_INTERNAL_PORT", "15080",
                "MINIVOICE_TRUSTED_CIDRS", "10.0.0.0/8, 192.168.0.0/16",
                "MINIVOICE_DATA_DIR", "/var/lib/minivoice",
                "MINIVOICE_DATABASE_URL", "jdbc:h2:mem:x"));
        assertEquals("key-from-environment-123", c.customers().defaultApiKey());
        assertEquals(9090, c.admin().port());
        assertEquals("0.0.0.0", c.admin().bind());
        assertEquals("127.0.0.2", c.sip().bind());
        assertEquals(15060, c.sip().externalPort());
        assertEquals(15080, c.sip().internalPort());
        assertEquals(List.of("10.0.0.0/8", "192.168.0.0/16"), c.sip().trustedCidrs());
        assertEquals(Path.of("/var/lib/minivoice"), c.database().dataDir());
        assertEquals("jdbc:h2:mem:x", c.database().url());
    }

    @Test
    void everyKeyHasAGenericEnvironmentName() throws Exception {
        GatewayConfig c = loader.load(file(""), Map.of("MINIVOICE_SIP_TRACE", "true",
                "MINIVOICE_SIP_TRUSTED_CIDRS", "10.0.0.0/8", "MINIVOICE_TRUNKS_DEFAULT_PRIORITY", "7"));
        assertTrue(c.sip().trace());
        assertEquals(List.of("10.0.0.0/8"), c.sip().trustedCidrs());
        assertEquals(7, c.trunks().defaultPriority());
    }

    @Test
    void refusesUnknownKeysWrongTypesAndOutOfRangeValues() throws Exception {
        assertMessage(file("admin:\n  prot: 1\n"), Map.of(), "unknown key 'admin.prot'");
        assertMessage(file("colour: red\n"), Map.of(), "unknown key 'colour'");
        assertMessage(file("admin: 5\n"), Map.of(), "must be a section");
        assertMessage(file("admin:\n  port: 70000\n"), Map.of(), "between 1 and 65535");
        assertMessage(file("sip:\n  trace: maybe\n"), Map.of(), "true or false");
        assertMessage(file("sip:\n  transports: [udp, sctp]\n"), Map.of(), "sctp");
        assertMessage(file("sip:\n  trusted_cidrs: [10.0.0.1/8]\n"), Map.of(), "host bits");
        assertMessage(file("sip:\n  external_port: 5070\n  internal_port: 5070\n"), Map.of(), "must differ");
        assertMessage(file("sip:\n  bind: gateway.example\n"), Map.of(), "numeric");
        assertMessage(file("sip:\n  bind_v6: 127.0.0.1\n"), Map.of(), "sip.bind_v6 must be a numeric IPv6 address");
        assertMessage(file("sip:\n  bind_v6: \"::\"\n"), Map.of(), "needs sip.public_address_v6");
        assertMessage(file("sip:\n  bind: \"0.0.0.0\"\n"), Map.of(), "needs sip.public_address");
        assertEquals("192.0.2.10", loader.load(file("sip:\n  bind: \"0.0.0.0\"\n  public_address: 192.0.2.10\n"), Map.of())
                .sip().advertisedAddress());
        assertMessage(file("sip:\n  bind_v6: \"\"\n  internal_bind_v6: \"::1\"\n"), Map.of(), "needs sip.bind_v6");
        assertMessage(file(""), Map.of("MINIVOICE_SIP_DNS_SERVERS", "dns.example"), "sip.dns_servers");
        assertEquals(53, loader.load(file(""), Map.of("MINIVOICE_SIP_DNS_SERVERS", "10.0.0.2,[2001:db8::53]:5353"))
                .sip().dns().serverAddresses().get(0).getPort());
        assertMessage(file(": : :\n  - ["), Map.of(), "not valid YAML");
        assertMessage(file(""), Map.of("MINIVOICE_SIP_TRACE", "yes please"), "MINIVOICE_SIP_TRACE");
        assertMessage(file(""), Map.of("MINIVOICE_DATABASE_URL", "jdbc:mysql://x"), "jdbc:postgresql://");
        assertEquals("jdbc:postgresql://db.example:5432/minivoice", loader.load(file(""),
                Map.of("MINIVOICE_DATABASE_URL", "jdbc:postgresql://db.example:5432/minivoice")).database().url());
        assertMessage(dir.resolve("missing.yml"), Map.of(), "does not exist");
    }

    @Test
    void aShortApiKeyIsRefusedWithoutBeingEchoed() throws Exception {
        ConfigException e = assertThrows(ConfigException.class, () -> loader.load(file(""), Map.of("MINIVOICE_API_KEY", "short-secret")));
        assertFalse(e.getMessage().contains("short-secret"));
    }

    @Test
    void secretsDoNotAppearInToString() throws Exception {
        GatewayConfig c = loader.load(file(""), Map.of("MINIVOICE_API_KEY", "very-secret-key-123456",
                "MINIVOICE_ADMIN_OPERATOR_API_KEY", "operator-secret-123456", "MINIVOICE_DATABASE_PASSWORD", "dbpw"));
        assertFalse(c.toString().contains("very-secret-key-123456"));
        assertFalse(c.toString().contains("operator-secret-123456"));
        assertFalse(c.toString().contains("dbpw"));
    }

    private void assertMessage(Path f, Map<String, String> env, String expected) {
        ConfigException e = assertThrows(ConfigException.class, () -> loader.load(f, env));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
