package eu.minivoice.gateway;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The dependency direction of docs/architecture.md, checked on every build (STYLE habit 12). */
class ArchitectureTest {
    private static final Path MAIN = Path.of("src/main/java/eu/minivoice/gateway");

    private static List<String> violations(String pkg, String... forbidden) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(MAIN.resolve(pkg))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                for (String line : Files.readAllLines(f)) {
                    for (String bad : forbidden) {
                        if (line.startsWith("import " + bad) || line.startsWith("import static " + bad)) {
                            out.add(MAIN.relativize(f) + ": " + line);
                        }
                    }
                }
            }
        }
        return out;
    }

    @Test
    void domainDependsOnNothingOfOurs() throws IOException {
        assertEquals(List.of(), violations("domain", "eu.minivoice.gateway.config", "eu.minivoice.gateway.store",
                "eu.minivoice.gateway.api", "eu.minivoice.gateway.sip", "eu.minivoice.gateway.service",
                "io.netty", "javax.sip", "java.sql"));
    }

    @Test
    void sipKnowsNeitherTheApiNorStorage() throws IOException {
        assertEquals(List.of(), violations("sip", "eu.minivoice.gateway.api", "eu.minivoice.gateway.store",
                "eu.minivoice.gateway.service", "java.sql", "io.netty.handler.codec.http"));
        // Netty is the SIP transport's business (timers, sockets), nobody else's in sip/.
        List<String> netty = violations("sip", "io.netty");
        netty.removeIf(v -> v.startsWith("sip/transport/"));
        assertEquals(List.of(), netty);
    }

    @Test
    void theApiDoesNotTouchSipOrSql() throws IOException {
        assertEquals(List.of(), violations("api", "eu.minivoice.gateway.sip", "eu.minivoice.gateway.store.Jdbc",
                "eu.minivoice.gateway.store.Database", "javax.sip", "java.sql"));
    }

    @Test
    void servicesDoNotKnowSqlOrTransports() throws IOException {
        assertEquals(List.of(), violations("service", "eu.minivoice.gateway.api", "eu.minivoice.gateway.sip",
                "java.sql", "io.netty", "javax.sip"));
    }

    @Test
    void theDispatcherKnowsNeitherTheApiNorSipNorSql() throws IOException {
        assertEquals(List.of(), violations("events", "eu.minivoice.gateway.api", "eu.minivoice.gateway.sip",
                "eu.minivoice.gateway.service", "eu.minivoice.gateway.store.Jdbc", "java.sql", "io.netty", "javax.sip"));
    }

    @Test
    void actionsArePureTypesTheSipSideCanUse() throws IOException {
        assertEquals(List.of(), violations("actions", "eu.minivoice.gateway.api", "eu.minivoice.gateway.sip",
                "eu.minivoice.gateway.store", "eu.minivoice.gateway.service", "eu.minivoice.gateway.events",
                "eu.minivoice.gateway.config", "java.sql", "io.netty", "javax.sip"));
    }

    @Test
    void routingIsPureLogicOverInMemoryIndexes() throws IOException {
        assertEquals(List.of(), violations("routing", "eu.minivoice.gateway.api", "eu.minivoice.gateway.sip",
                "eu.minivoice.gateway.store", "eu.minivoice.gateway.service", "eu.minivoice.gateway.events",
                "java.sql", "io.netty", "javax.sip"));
    }

    @Test
    void theWebhookHttpClientIsATransportOnly() throws IOException {
        assertEquals(List.of(), violations("http", "eu.minivoice.gateway.api", "eu.minivoice.gateway.sip",
                "eu.minivoice.gateway.store", "eu.minivoice.gateway.service", "java.sql", "javax.sip"));
    }

    @Test
    void theApiReachesStoresOnlyThroughServices() throws IOException {
        List<String> found = violations("api", "eu.minivoice.gateway.store", "java.sql");
        // The store's two exception types are part of the services' contract (409, 503).
        found.removeIf(v -> v.endsWith("import eu.minivoice.gateway.store.DuplicateException;")
                || v.endsWith("import eu.minivoice.gateway.store.StoreException;"));
        assertEquals(List.of(), found);
    }

    /**
     * The relay's parts reach JAIN-SIP only through {@code RelayContext} (so they run on the unit
     * tests' fake): only the stack adapter and the entry points may touch providers, transactions,
     * dialogs and stack events.
     */
    @Test
    void theRelayReachesTheStackOnlyThroughItsContext() throws IOException {
        List<String> found = violations("sip/relay", "javax.sip.Dialog", "javax.sip.ClientTransaction",
                "javax.sip.ServerTransaction", "javax.sip.SipProvider", "javax.sip.RequestEvent",
                "javax.sip.ResponseEvent", "gov.nist", "eu.minivoice.gateway.sip.SipServer",
                "eu.minivoice.gateway.sip.net", "eu.minivoice.gateway.sip.TransactionCallback");
        found.removeIf(v -> v.startsWith("sip/relay/JainSipRelayContext.java") || v.startsWith("sip/relay/CallRelay.java")
                || v.startsWith("sip/relay/InboundGate.java"));
        assertEquals(List.of(), found);
    }
}
