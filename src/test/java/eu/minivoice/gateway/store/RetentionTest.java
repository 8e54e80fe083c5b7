package eu.minivoice.gateway.store;

import eu.minivoice.gateway.config.GatewayConfig;
import eu.minivoice.gateway.domain.CallRecord;
import eu.minivoice.gateway.domain.Customer;
import eu.minivoice.gateway.domain.Delivery;
import eu.minivoice.gateway.domain.StoredEvent;
import eu.minivoice.gateway.domain.TargetKind;
import eu.minivoice.gateway.support.Postgres;
import eu.minivoice.gateway.support.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Retention on H2 and (postgres execution) PostgreSQL: old finished history goes, nothing pending or live. */
class RetentionTest {
    @TempDir
    Path dir;

    @Test
    void oldDoneDeliveriesTheirEventsAndEndedCallsGoPendingAndOpenOnesStay() throws Exception {
        String url = TestGateway.onPostgres() ? Postgres.shared().newDatabase() : "";
        try (Database db = Database.open(new GatewayConfig.DatabaseConfig(url, dir,
                TestGateway.onPostgres() ? Postgres.USER : "", "", 4))) {
            new JdbcCustomerStore(db.dataSource(), new SecretBox(new byte[32], new SecureRandom()))
                    .insert(new Customer("cust_1", "One", Instant.EPOCH));
            Instant now = Instant.parse("2026-12-01T12:00:00Z");
            Instant old = now.minus(Duration.ofDays(40));
            JdbcOutboxStore outbox = new JdbcOutboxStore(db.dataSource(), "node-a");
            long seq = outbox.takeSeqBlock(100);
            outbox.write(List.of(event("evt_old_done", old), event("evt_old_pending", old), event("evt_new", now),
                            event("evt_old_none", old)),
                    List.of(delivery(seq, "dlv_1", "evt_old_done", old).delivered(200, old),
                            delivery(seq + 1, "dlv_2", "evt_old_pending", old),
                            delivery(seq + 2, "dlv_3", "evt_new", now).delivered(200, now)),
                    List.of());
            JdbcCallStore calls = new JdbcCallStore(db.dataSource(), "node-a");
            calls.store(List.of(call("call_old_ended", "completed", old, old), call("call_old_open", "answered", old,
                    null), call("call_new_ended", "completed", now, now)), List.of());

            Retention.Purged purged = new Retention(db.dataSource(), 1).purgeBefore(now.minus(Duration.ofDays(30)));
            assertEquals(1, purged.deliveries(), "the old delivered one; never a pending one");
            assertEquals(2, purged.events(), "the old events left without deliveries");
            assertEquals(1, purged.calls(), "the old ended call; never one still open");
            assertEquals(List.of("evt_new", "evt_old_pending"), outbox.events("cust_1", null, null, null, 10).stream()
                    .map(StoredEvent::id).sorted().toList());
            assertEquals(0, new Retention(db.dataSource(), 1).purgeBefore(now.minus(Duration.ofDays(30))).total());
        }
    }

    private static StoredEvent event(String id, Instant at) {
        return new StoredEvent(id, "cust_1", "call.completed", "call_x", null, at, "{}");
    }

    private static Delivery delivery(long seq, String id, String eventId, Instant at) {
        return Delivery.pending(seq, id, eventId, "cust_1", TargetKind.CUSTOMER, "cust_1", "http://h.example:80/e",
                "http://h.example:80", null, at);
    }

    private static CallRecord call(String id, String status, Instant created, Instant ended) {
        return new CallRecord(id, "cust_1", "outbound", status, "+15551230001", "+15551230002", null, null, null, null,
                null, null, null, null, List.of(), created, null, ended);
    }
}
