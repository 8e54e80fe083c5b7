package eu.minivoice.gateway.domain;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Times as the API and the event envelope show them: UTC ISO-8601 with exactly three fraction
 * digits ({@code 2026-11-25T01:48:21.800Z}, {@code …:21.000Z}) — one width whatever the clock's
 * precision ({@link Instant#toString} drops a zero fraction and shows nanoseconds).
 */
public final class UtcMillis {
    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private UtcMillis() {
    }

    public static String format(Instant t) {
        return FORMAT.format(t);
    }
}
