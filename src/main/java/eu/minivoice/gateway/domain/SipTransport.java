package eu.minivoice.gateway.domain;

import java.util.Locale;

/** SIP transports, with the default port each uses when a proxy names none (RFC 3261 §19.1.2). */
public enum SipTransport {
    UDP(5060), TCP(5060), TLS(5061);

    private final int defaultPort;

    SipTransport(int defaultPort) {
        this.defaultPort = defaultPort;
    }

    public int defaultPort() {
        return defaultPort;
    }

    public String token() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static SipTransport fromToken(String token) {
        for (SipTransport t : values()) {
            if (t.token().equalsIgnoreCase(token)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown transport '" + token + "' (use udp, tcp or tls)");
    }
}
