package eu.minivoice.gateway.domain;

import java.util.Locale;

/** A webhook delivery's life: pending until a 2xx (delivered) or a final failure (failed). */
public enum DeliveryStatus {
    PENDING, DELIVERED, FAILED;

    public String token() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static DeliveryStatus of(String token) {
        return valueOf(token.toUpperCase(Locale.ROOT));
    }
}
