package eu.minivoice.gateway.api;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class RouterTest {
    @Test
    void matchesLiteralAndCapturedSegments() {
        assertEquals(Map.of(), Router.match("/v1/trunks", "/v1/trunks"));
        assertEquals(Map.of("id", "trunk_1"), Router.match("/v1/trunks/{id}", "/v1/trunks/trunk_1"));
        assertNull(Router.match("/v1/trunks/{id}", "/v1/trunks/"));
        assertNull(Router.match("/v1/trunks/{id}", "/v1/trunks/a/b"));
        assertNull(Router.match("/v1/trunks", "/v1/trunk"));
    }
}
