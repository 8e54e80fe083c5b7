package eu.minivoice.gateway.api;

import ch.qos.logback.classic.Level;
import eu.minivoice.gateway.support.Http.Reply;
import eu.minivoice.gateway.support.LogCapture;
import eu.minivoice.gateway.support.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static eu.minivoice.gateway.support.TestGateway.API_KEY;
import static eu.minivoice.gateway.support.TestGateway.OPERATOR_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Passwords and API keys reach neither responses nor logs, even at DEBUG. */
class SecretsNotLoggedTest {
    @Test
    void passwordsAndKeysNeverReachTheLog(@TempDir Path data) throws Exception {
        String password = "Pa55-w0rd-that-must-stay-secret";
        List<String> lines;
        String customerKey;
        try (LogCapture log = new LogCapture("ROOT", Level.DEBUG); TestGateway gw = TestGateway.start(data)) {
            Reply created = gw.http.post("/v1/trunks", API_KEY,
                    "{\"name\":\"secret\",\"proxy\":\"s.example.com\",\"username\":\"u\",\"password\":\"" + password + "\"}");
            assertEquals(201, created.status());
            String id = created.data().get("id").asText();
            Reply patched = gw.http.patch("/v1/trunks/" + id, API_KEY, "{\"password\":\"" + password + "-2\"}");
            assertFalse(patched.body().contains(password));
            assertFalse(gw.http.get("/v1/trunks", API_KEY).body().contains(password));
            gw.http.post("/v1/trunks", API_KEY, "{\"name\":\"bad\",\"proxy\":\"\",\"password\":\"" + password + "\"}");
            customerKey = gw.http.post("/v1/customers", OPERATOR_KEY, "{\"name\":\"C\"}").data().get("api_key").asText();
            gw.http.get("/v1/trunks", customerKey);
            gw.http.get("/v1/trunks", "a-wrong-key-that-is-long");
            lines = log.lines();
        }
        assertTrue(lines.size() > 5, "the capture saw the gateway's log");
        for (String line : lines) {
            assertFalse(line.contains(password), line);
            assertFalse(line.contains(API_KEY), line);
            assertFalse(line.contains(OPERATOR_KEY), line);
            assertFalse(line.contains(customerKey), line);
            // Not even a prefix of a key (a hint narrows a guess and ties log lines to a key).
            assertFalse(line.contains(API_KEY.substring(0, 8)), line);
            assertFalse(line.contains(customerKey.substring(0, 10)), line);
        }
    }
}
