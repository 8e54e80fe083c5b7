package eu.minivoice.gateway.sip;

import java.util.Locale;

/** Digest algorithms of RFC 2617 and RFC 7616/8760, with their hash and whether they are "-sess". */
public enum DigestAlgorithm {
    MD5("MD5", "MD5", false, 1),
    MD5_SESS("MD5-sess", "MD5", true, 1),
    SHA_256("SHA-256", "SHA-256", false, 2),
    SHA_256_SESS("SHA-256-sess", "SHA-256", true, 2);

    private final String token;
    private final String javaName;
    private final boolean session;
    private final int strength;

    DigestAlgorithm(String token, String javaName, boolean session, int strength) {
        this.token = token;
        this.javaName = javaName;
        this.session = session;
        this.strength = strength;
    }

    public String token() {
        return token;
    }

    String javaName() {
        return javaName;
    }

    boolean session() {
        return session;
    }

    int strength() {
        return strength;
    }

    public static DigestAlgorithm fromToken(String token) {
        for (DigestAlgorithm a : values()) {
            if (a.token.toUpperCase(Locale.ROOT).equals(token.toUpperCase(Locale.ROOT))) {
                return a;
            }
        }
        throw new IllegalArgumentException("unsupported digest algorithm " + token);
    }
}
