package eu.minivoice.gateway.domain;

import java.security.SecureRandom;

/**
 * Ids with 100 random bits in lower-case base32 (20 characters): unguessable, so a foreign id
 * reveals nothing, and safe in URLs, SIP user parts and log lines without escaping.
 */
public final class RandomIdGenerator implements IdGenerator {
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    private final SecureRandom random;

    public RandomIdGenerator(SecureRandom random) {
        this.random = random;
    }

    @Override
    public String newId(String prefix) {
        return prefix + "_" + randomToken(20);
    }

    /** Uniform in [0, 1): jitter and spreading use the same injected source as ids. */
    public double nextFraction() {
        return random.nextDouble();
    }

    /** {@code length} base32 characters (5 random bits each). */
    public String randomToken(int length) {
        char[] out = new char[length];
        for (int i = 0; i < length; i++) {
            out[i] = ALPHABET[random.nextInt(32)];
        }
        return new String(out);
    }
}
