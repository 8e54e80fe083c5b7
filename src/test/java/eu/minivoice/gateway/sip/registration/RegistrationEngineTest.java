package eu.minivoice.gateway.sip.registration;

import eu.minivoice.gateway.domain.RandomIdGenerator;
import eu.minivoice.gateway.domain.RegistrationStatus;
import eu.minivoice.gateway.domain.Trunk;
import eu.minivoice.gateway.domain.TrunkDirection;
import eu.minivoice.gateway.domain.TrunkSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The engine's own bookkeeping, with a sender whose answers the test gives (no SIP). */
class RegistrationEngineTest {
    /** Every REGISTER sent: its expires and where its answer goes. */
    private record Sent(int expires, RegisterSender.Sink sink) {
    }

    private final List<Sent> sent = new CopyOnWriteArrayList<>();
    private final Set<String> owned = ConcurrentHashMap.newKeySet();
    private RegistrationEngine engine;

    private RegistrationEngine engine() {
        RegisterSender sender = new RegisterSender() {
            @Override
            public void send(RegistrationTarget target, RegistrationContext.OutgoingRegister request, Sink sink) {
                sent.add(new Sent(request.expires(), sink));
            }

            @Override
            public boolean connectionOpen(RegistrationTarget target) {
                return true;
            }

            @Override
            public void abandon(RegistrationTarget target) {
            }
        };
        engine = new RegistrationEngine(new RegistrationSettings(Duration.ofSeconds(30), Duration.ofSeconds(5),
                Duration.ofSeconds(60), Duration.ofSeconds(600), Duration.ZERO, 20, Duration.ofSeconds(5), 3, 2,
                Duration.ofHours(1)), sender, Clock.systemUTC(), () -> 0.5, new RandomIdGenerator(new SecureRandom()),
                (owner, proxy, timeout) -> new java.util.concurrent.CompletableFuture<>(),
                new RegistrationEngine.StatusListener() {
                    @Override
                    public void statusChanged(RegistrationTarget t, RegistrationStatus from, RegistrationStatus to,
                                              String reason, eu.minivoice.gateway.domain.RegistrationSnapshot now,
                                              Instant at) {
                    }

                    @Override
                    public void healthChanged(String trunkId, String customerId,
                                              eu.minivoice.gateway.domain.TrunkHealth from,
                                              eu.minivoice.gateway.domain.TrunkHealth to,
                                              eu.minivoice.gateway.domain.ProbeResult last, Instant at) {
                    }
                }, owned::contains);
        return engine;
    }

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    private static Trunk trunk() {
        TrunkSpec spec = new TrunkSpec("t", "127.0.0.1:5999", "u", "p", null, null, null, true, "gw",
                TrunkDirection.BOTH, 100, null, 3600, 0, null, null, null, null);
        return new Trunk("trk_1", "cust_1", spec, Instant.EPOCH, Instant.EPOCH);
    }

    private static RegistrarResponse ok() {
        return new RegistrarResponse(200, "OK", List.of(), 3600, true, null, null, null, true, "127.0.0.1");
    }

    private void awaitSent(int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (sent.size() < n) {
            if (System.nanoTime() > deadline) {
                fail("expected " + n + " REGISTERs, got " + sent.size());
            }
            Thread.sleep(10);
        }
    }

    private RegistrationStatus status() {
        return engine.snapshot("trk_1").map(s -> s.status()).orElse(null);
    }

    @Test
    void aTrunkBackWhileItsUnRegisterIsPendingRegistersOnceThatIsOver() throws Exception {
        RegistrationEngine e = engine();
        owned.add("trk_1");
        Trunk t = trunk();
        e.startAll(List.of(t));
        awaitSent(1);
        sent.get(0).sink().onResponse(ok());
        // Deleted (un-REGISTER sent, unanswered yet), then back (a change another node undid).
        e.trunkChanged(t, null);
        awaitSent(2);
        assertEquals(0, sent.get(1).expires(), "the un-REGISTER");
        e.trunkChanged(null, t);
        Thread.sleep(200);
        assertEquals(2, sent.size(), "nothing new while the un-REGISTER is out");
        sent.get(1).sink().onResponse(ok());
        awaitSent(3);
        assertTrue(sent.get(2).expires() > 0, "registering again");
        sent.get(2).sink().onResponse(ok());
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (status() != RegistrationStatus.REGED && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(RegistrationStatus.REGED, status());
    }

    @Test
    void onlyOwnedTrunksRegisterAndAReleasedOneStopsWithoutAnUnRegister() throws Exception {
        RegistrationEngine e = engine();
        Trunk t = trunk();
        e.startAll(List.of(t));
        e.trunkChanged(null, t);
        Thread.sleep(200);
        assertEquals(0, sent.size(), "another node's trunk");
        owned.add("trk_1");
        e.acquire(t, Duration.ZERO);
        awaitSent(1);
        sent.get(0).sink().onResponse(ok());
        owned.remove("trk_1");
        e.release(List.of("trk_1")).get();
        Thread.sleep(100);
        assertEquals(1, sent.size(), "no un-REGISTER on hand-over: the next owner's REGISTER replaces the binding");
        assertEquals(null, status());
    }
}
