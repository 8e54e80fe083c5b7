package eu.minivoice.gateway.api;

import eu.minivoice.gateway.StartupException;
import eu.minivoice.gateway.support.Http.Reply;
import eu.minivoice.gateway.support.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Base64;
import java.util.Map;

import static eu.minivoice.gateway.support.TestGateway.API_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** docs/security.md rule 5: secrets sealed in the database, key and files private, plain rows migrated. */
class SecretsAtRestTest {
    private static final String PASSWORD = "trunk-pw-never-in-plain-81";
    private static final String WEBHOOK_SECRET = "whsec_never_in_plain_0042";
    private static final String EVENTS_SECRET = "evsec_never_in_plain_0043";

    /** The gateway's database: its H2 files in the data directory, or the test PostgreSQL database. */
    private static Connection db(Path dir) throws Exception {
        if (TestGateway.onPostgres()) {
            return DriverManager.getConnection(eu.minivoice.gateway.support.Postgres.shared().databaseFor(dir),
                    eu.minivoice.gateway.support.Postgres.USER, "");
        }
        return DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("minivoice")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE");
    }

    private static String one(Connection c, String sql) throws Exception {
        try (ResultSet rs = c.createStatement().executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return rs.getString(1);
        }
    }

    @Test
    void secretsAreSealedAndTheDataIsPrivate(@TempDir Path dir) throws Exception {
        Map<String, String> env = TestGateway.env(dir);
        String trunkId;
        try (TestGateway gw = TestGateway.start(dir, env)) {
            Reply t = gw.http.post("/v1/trunks", API_KEY, "{\"name\":\"c\",\"proxy\":\"203.0.113.5\",\"username\":\"u\","
                    + "\"password\":\"" + PASSWORD + "\",\"register\":false}");
            assertEquals(201, t.status(), t.body());
            trunkId = t.data().get("id").asText();
            assertEquals(201, gw.http.post("/v1/applications", API_KEY, "{\"name\":\"a\",\"webhook_url\":"
                    + "\"https://203.0.113.9/hook\",\"webhook_secret\":\"" + WEBHOOK_SECRET + "\"}").status());
            assertEquals(200, gw.http.patch("/v1/account", API_KEY, "{\"events_url\":\"https://203.0.113.9/ev\","
                    + "\"events_secret\":\"" + EVENTS_SECRET + "\"}").status());
        }
        try (Connection c = db(dir)) {
            for (String sql : new String[]{"SELECT password FROM trunks", "SELECT webhook_secret FROM applications",
                    "SELECT events_secret FROM customers WHERE events_secret IS NOT NULL"}) {
                String stored = one(c, sql);
                assertTrue(stored.startsWith("enc:v1:"), sql + " -> " + stored);
            }
        }
        if (!TestGateway.onPostgres()) { // the embedded database's own file
            byte[] file = Files.readAllBytes(dir.resolve("minivoice.mv.db"));
            String text = new String(file, StandardCharsets.ISO_8859_1);
            for (String secret : new String[]{PASSWORD, WEBHOOK_SECRET, EVENTS_SECRET}) {
                assertFalse(text.contains(secret), "plain " + secret + " in the database file");
            }
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("minivoice.mv.db"))));
        }
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("secret.key"))));

        // A row stored in plain by an earlier version is sealed at the next start, and still works.
        try (Connection c = db(dir)) {
            c.createStatement().executeUpdate("UPDATE trunks SET password='legacy-plain-pw' WHERE id='" + trunkId + "'");
        }
        try (TestGateway gw = TestGateway.start(dir, env)) {
            assertTrue(gw.http.get("/v1/trunks/" + trunkId, API_KEY).data().get("password_set").asBoolean());
        }
        try (Connection c = db(dir)) {
            assertTrue(one(c, "SELECT password FROM trunks").startsWith("enc:v1:"));
        }

        // Another key does not open them: the start stops with a clear message.
        env.put("MINIVOICE_SECRET_KEY", Base64.getEncoder().encodeToString(new byte[32]));
        StartupException e = assertThrows(StartupException.class, () -> TestGateway.start(dir, env).close());
        assertTrue(e.getMessage().contains("does not open the stored secrets"), e.getMessage());
    }
}
