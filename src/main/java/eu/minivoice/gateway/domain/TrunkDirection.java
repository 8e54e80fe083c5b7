package eu.minivoice.gateway.domain;

import java.util.Locale;

/** Which calls a trunk carries. */
public enum TrunkDirection {
    INBOUND, OUTBOUND, BOTH;

    public String token() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static TrunkDirection fromToken(String token) {
        for (TrunkDirection d : values()) {
            if (d.token().equals(token)) {
                return d;
            }
        }
        throw new IllegalArgumentException("must be one of inbound, outbound, both");
    }
}
