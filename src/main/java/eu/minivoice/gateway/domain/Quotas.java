package eu.minivoice.gateway.domain;

/**
 * What one customer may use (docs/security.md): trunks, applications, numbers, concurrent calls
 * and calls per second. As a customer's own setting a null field means "the default"; in effect
 * ({@link #over}) 0 means "no limit".
 */
public record Quotas(Integer trunks, Integer applications, Integer numbers, Integer concurrentCalls,
                     Integer callsPerSecond) {
    public static final Quotas NONE_SET = new Quotas(null, null, null, null, null);

    /** These settings over {@code defaults} (whose fields are all set). */
    public Quotas over(Quotas defaults) {
        return new Quotas(trunks != null ? trunks : defaults.trunks,
                applications != null ? applications : defaults.applications,
                numbers != null ? numbers : defaults.numbers,
                concurrentCalls != null ? concurrentCalls : defaults.concurrentCalls,
                callsPerSecond != null ? callsPerSecond : defaults.callsPerSecond);
    }

    /** True when {@code used} more would pass the limit {@code max} (0 = none). */
    public static boolean reached(Integer max, int used) {
        return max != null && max > 0 && used >= max;
    }
}
