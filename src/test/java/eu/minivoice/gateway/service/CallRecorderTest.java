package eu.minivoice.gateway.service;

import eu.minivoice.gateway.config.GatewayConfig.DatabaseConfig;
import eu.minivoice.gateway.domain.CallRecord;
import eu.minivoice.gateway.store.CallStore;
import eu.minivoice.gateway.store.Database;
import eu.minivoice.gateway.store.JdbcCallStore;
import eu.minivoice.gateway.support.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The call recorder on a real embedded database. */
class CallRecorderTest {
    private static CallRecord record(String id, String customer, String status) {
        return new CallRecord(id, customer, "outbound", status, "+15551230001", "+15551239999", null, null, null, null,
                null, null, null, null, List.of(), Instant.now(), null, null);
    }

    @Test
    void aRecordTheDatabaseRefusesNeverBlocksLaterRecords(@TempDir Path dir) throws Exception {
        try (Database db = Database.open(new DatabaseConfig("", dir, "", "", 2));
             CallRecorder recorder = new CallRecorder(new JdbcCallStore(db.dataSource(), "test-node"), 100)) {
            CallStore store = new JdbcCallStore(db.dataSource(), "test-node");
            recorder.accept(record("call_poison0001", null, "failed")); // customer_id is NOT NULL
            recorder.accept(record("call_good000001", "cust_default", "initiated"));
            Await.until("the good record stored", () -> store.find("cust_default", "call_good000001").orElse(null),
                    r -> true, Duration.ofSeconds(5));
            recorder.accept(record("call_good000001", "cust_default", "completed"));
            Await.until("its next version stored", () -> store.find("cust_default", "call_good000001").orElse(null),
                    r -> r.status().equals("completed"), Duration.ofSeconds(5));
            assertEquals(1, recorder.droppedCount());
        }
    }
}
