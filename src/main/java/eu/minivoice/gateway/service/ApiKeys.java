package eu.minivoice.gateway.service;

import eu.minivoice.gateway.domain.RandomIdGenerator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * API key format and hashing. Keys are 160 random bits, so a fast SHA-256 digest is the right
 * storage form (as for GitHub or Stripe tokens): a slow password hash protects guessable secrets,
 * which these are not, and would cost every API request a deliberate delay.
 */
public final class ApiKeys {
    private static final String PREFIX = "mvk_";
    private final RandomIdGenerator random;

    public ApiKeys(RandomIdGenerator random) {
        this.random = random;
    }

    public String generate() {
        return PREFIX + random.randomToken(32);
    }

    public static String hash(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** The first characters, stored to tell keys apart; never enough to use. */
    public static String hint(String key) {
        return key.substring(0, Math.min(8, key.length()));
    }
}
