package eu.minivoice.gateway.sip;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Computes a Digest answer (RFC 2617, RFC 7616, SIP use per RFC 3261 §22.4 and RFC 8760).
 *
 * <p>Our own rather than JAIN-SIP's AuthenticationHelper: that helper knows MD5 only, decides
 * itself where credentials go (we must refuse challenges from hosts other than the trunk's proxy),
 * and hides the stale/credentials-failure distinction the registration states need.
 *
 * @param qop   "auth", "auth-int", or null when the challenge offered no qop
 * @param nc    nonce count, 1 for the first use of a nonce
 */
public record DigestAnswer(String username, String realm, String nonce, String uri, String response,
                           DigestAlgorithm algorithm, String opaque, String qop, String cnonce, int nc) {

    /**
     * @param body the request body (only used for qop=auth-int)
     * @param cnonce a fresh client nonce (injected so tests use known vectors)
     */
    public static DigestAnswer compute(DigestChallenge c, String username, String password, String method,
                                       String uri, byte[] body, String cnonce, int nc) {
        DigestAlgorithm alg = c.effectiveAlgorithm();
        String qop = c.qop().contains("auth") ? "auth" : c.qop().contains("auth-int") ? "auth-int" : null;
        String ha1 = hash(alg, username + ":" + c.realm() + ":" + password);
        if (alg.session()) {
            ha1 = hash(alg, ha1 + ":" + c.nonce() + ":" + cnonce);
        }
        String a2 = method + ":" + uri;
        if ("auth-int".equals(qop)) {
            a2 += ":" + hash(alg, body == null ? new byte[0] : body);
        }
        String ha2 = hash(alg, a2);
        String ncHex = String.format("%08x", nc);
        String response = qop == null
                ? hash(alg, ha1 + ":" + c.nonce() + ":" + ha2)
                : hash(alg, ha1 + ":" + c.nonce() + ":" + ncHex + ":" + cnonce + ":" + qop + ":" + ha2);
        boolean usesCnonce = qop != null || alg.session();
        return new DigestAnswer(username, c.realm(), c.nonce(), uri, response, alg, c.opaque(), qop,
                usesCnonce ? cnonce : null, qop == null ? 0 : nc);
    }

    /** The header value: {@code Digest username="…", realm="…", …}. */
    public String headerValue() {
        StringBuilder b = new StringBuilder("Digest username=\"").append(username).append('"')
                .append(", realm=\"").append(realm).append('"')
                .append(", nonce=\"").append(nonce).append('"')
                .append(", uri=\"").append(uri).append('"')
                .append(", response=\"").append(response).append('"')
                .append(", algorithm=").append(algorithm.token());
        if (cnonce != null) {
            b.append(", cnonce=\"").append(cnonce).append('"');
        }
        if (qop != null) {
            b.append(", qop=").append(qop).append(", nc=").append(String.format("%08x", nc));
        }
        if (opaque != null) {
            b.append(", opaque=\"").append(opaque).append('"');
        }
        return b.toString();
    }

    private static String hash(DigestAlgorithm alg, String text) {
        return hash(alg, text.getBytes(StandardCharsets.UTF_8));
    }

    private static String hash(DigestAlgorithm alg, byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(alg.javaName()).digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has MD5 and SHA-256", e);
        }
    }

    /** Never print the response hash with the username in logs by accident: show the shape only. */
    @Override
    public String toString() {
        return "DigestAnswer[username=" + username + ", realm=" + realm + ", algorithm=" + algorithm + ", qop=" + qop + "]";
    }
}
