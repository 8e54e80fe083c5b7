package eu.minivoice.gateway.domain;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** One width for every time, and the remembered millisecond never answers for another. */
class UtcMillisTest {
    @Test
    void alwaysThreeFractionDigitsInUtc() {
        assertEquals("2026-11-25T01:48:21.000Z", UtcMillis.format(Instant.parse("2026-11-25T01:48:21Z")));
        assertEquals("2026-11-25T01:48:21.800Z", UtcMillis.format(Instant.parse("2026-11-25T01:48:21.8Z")));
        assertEquals("2026-11-25T01:48:21.800Z", UtcMillis.format(Instant.parse("2026-11-25T01:48:21.800999Z")),
                "the same millisecond, other nanoseconds");
        assertEquals("2026-11-25T01:48:21.801Z", UtcMillis.format(Instant.parse("2026-11-25T01:48:21.801Z")));
        assertEquals("1970-01-01T00:00:00.000Z", UtcMillis.format(Instant.EPOCH));
        assertEquals("2026-11-25T01:48:21.800Z", UtcMillis.format(Instant.parse("2026-11-25T01:48:21.8Z")),
                "back to an earlier millisecond");
    }
}
