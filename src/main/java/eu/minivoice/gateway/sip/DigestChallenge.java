package eu.minivoice.gateway.sip;

import java.util.List;
import java.util.Locale;

/**
 * A Digest challenge from a WWW-Authenticate (401) or Proxy-Authenticate (407) header.
 *
 * @param algorithm as offered, upper case; null means MD5 (RFC 2617 §3.2.1)
 * @param qop       the qop options offered (lower case), empty when the server offers none
 * @param proxy     true for a 407 (answer with Proxy-Authorization)
 */
public record DigestChallenge(String realm, String nonce, String opaque, String algorithm, List<String> qop,
                              boolean stale, boolean proxy) {

    public DigestChallenge {
        qop = List.copyOf(qop);
        algorithm = algorithm == null ? null : algorithm.toUpperCase(Locale.ROOT);
    }

    /** The challenge of a WWW-Authenticate or Proxy-Authenticate header; null when not Digest. */
    public static DigestChallenge of(javax.sip.header.WWWAuthenticateHeader h, boolean proxy) {
        if (h.getScheme() == null || !h.getScheme().equalsIgnoreCase("Digest")) {
            return null;
        }
        List<String> qop = h.getQop() == null ? List.of()
                : java.util.Arrays.stream(h.getQop().split(",")).map(s -> s.trim().toLowerCase(Locale.ROOT)).toList();
        return new DigestChallenge(h.getRealm(), h.getNonce(), h.getOpaque(), h.getAlgorithm(), qop, h.isStale(), proxy);
    }

    /** The algorithm to use, MD5 when none is named. */
    public DigestAlgorithm effectiveAlgorithm() {
        return DigestAlgorithm.fromToken(algorithm == null ? "MD5" : algorithm);
    }

    /**
     * Of several challenges in one response (RFC 8760 §2.4: one per algorithm, preferred first),
     * the strongest we support; null when none is usable.
     */
    public static DigestChallenge strongest(List<DigestChallenge> offered) {
        DigestChallenge best = null;
        for (DigestChallenge c : offered) {
            DigestAlgorithm a;
            try {
                a = c.effectiveAlgorithm();
            } catch (IllegalArgumentException unsupported) {
                continue;
            }
            if (c.nonce() == null || c.realm() == null) {
                continue;
            }
            if (best == null || a.strength() > best.effectiveAlgorithm().strength()) {
                best = c;
            }
        }
        return best;
    }
}
