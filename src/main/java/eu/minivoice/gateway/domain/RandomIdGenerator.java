package eu.minivoice.gateway.domain;

import java.security.SecureRandom;

/**
 * Ids with 100 random bits in lower-case base32 (20 characters): unguessable, so a foreign id
 * reveals nothing, and safe in URLs, SIP user parts and log lines without escaping.
 */
public final class RandomIdGenerator implements IdGenerator {
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    /** Crockford base32, lower case: its ASCII order is its value order, so prefixes sort by time. */
    private static final char[] SORTED = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();
    /** Random bytes drawn at a time, per thread. */
    static final int BATCH = 256;
    private final SecureRandom random;
    private final ThreadLocal<Batch> batches = ThreadLocal.withInitial(Batch::new);
    private final java.util.function.LongSupplier millis;

    public RandomIdGenerator(SecureRandom random) {
        this(random, System::currentTimeMillis);
    }

    public RandomIdGenerator(SecureRandom random, java.util.function.LongSupplier millis) {
        this.random = random;
        this.millis = millis;
    }

    /**
     * 10 characters of milliseconds (sortable) then 14 random ones (70 bits): rows keyed by these
     * ids are appended at the end of their index instead of landing on random pages, which keeps
     * the outbox's inserts cheap. Still unguessable; it reveals only the creation time.
     */
    @Override
    public String newOrderedId(String prefix) {
        long t = millis.getAsLong();
        char[] out = new char[10];
        for (int i = 9; i >= 0; i--) {
            out[i] = SORTED[(int) (t & 31)];
            t >>>= 5;
        }
        return prefix + "_" + new String(out) + randomToken(14);
    }

    @Override
    public String newId(String prefix) {
        return prefix + "_" + randomToken(20);
    }

    /** Uniform in [0, 1): jitter and spreading use the same injected source as ids. */
    public double nextFraction() {
        return random.nextDouble();
    }

    /**
     * {@code length} base32 characters (5 random bits each), from this thread's batch of random
     * bytes: SecureRandom is synchronised and its DRBG costs as much per call as per 256 bytes,
     * so it is asked once per batch instead of once per id (it showed in the relay's profile, a
     * few ids per call). Each byte serves one token only; the few left at the end of a batch are
     * skipped.
     */
    public String randomToken(int length) {
        byte[] bytes;
        int from;
        if (length > BATCH) {
            bytes = new byte[length];
            random.nextBytes(bytes);
            from = 0;
        } else {
            Batch batch = batches.get();
            if (BATCH - batch.next < length) {
                random.nextBytes(batch.bytes);
                batch.next = 0;
            }
            bytes = batch.bytes;
            from = batch.next;
            batch.next += length;
        }
        char[] out = new char[length];
        for (int i = 0; i < length; i++) {
            out[i] = ALPHABET[bytes[from + i] & 31]; // 256 is a multiple of 32: still uniform
        }
        return new String(out);
    }

    /** Random bytes drawn for one thread; {@code next} is the first one not used yet. */
    private static final class Batch {
        final byte[] bytes = new byte[BATCH];
        int next = BATCH;
    }
}
