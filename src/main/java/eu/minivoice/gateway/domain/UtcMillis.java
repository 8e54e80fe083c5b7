package eu.minivoice.gateway.domain;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Times as the API and the event envelope show them: UTC ISO-8601 with exactly three fraction
 * digits ({@code 2026-11-25T01:48:21.800Z}, {@code …:21.000Z}) — one width whatever the clock's
 * precision ({@link Instant#toString} drops a zero fraction and shows nanoseconds).
 *
 * <p>Every call event formats its time (thousands a second under load), and a zoned
 * {@link DateTimeFormatter} allocates a resolved temporal and a builder each time: the last
 * millisecond formatted is kept, since events come several to a millisecond.
 */
public final class UtcMillis {
    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private record Last(long millis, String text) {
    }

    /** Racy by design: a thread that reads an older entry formats again; it never reads a wrong one. */
    private static volatile Last last = new Last(Long.MIN_VALUE, "");

    private UtcMillis() {
    }

    public static String format(Instant t) {
        long millis = t.toEpochMilli();
        Last l = last;
        if (l.millis() == millis) {
            return l.text();
        }
        String text = FORMAT.format(t);
        last = new Last(millis, text);
        return text;
    }
}
