package eu.minivoice.gateway.domain;

import java.util.Optional;

/**
 * E.164 numbers ({@code +} then 7 to 15 digits, no leading zero after the {@code +}). Input may
 * carry the visual separators people paste (spaces, dots, dashes, parentheses); anything else —
 * letters, a missing {@code +}, national formats — is refused rather than guessed, because a
 * guessed country code routes a call to the wrong country.
 */
public final class E164 {
    public static final int MIN_DIGITS = 7;
    public static final int MAX_DIGITS = 15;

    private E164() {
    }

    /** The canonical {@code +digits} form, or empty when the text is not an E.164 number. */
    public static Optional<String> normalise(String text) {
        if (text == null || text.length() > 40) {
            return Optional.empty();
        }
        String s = text.strip();
        if (!s.startsWith("+")) {
            return Optional.empty();
        }
        StringBuilder out = new StringBuilder(MAX_DIGITS + 1).append('+');
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                out.append(c);
            } else if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')') {
                return Optional.empty();
            }
        }
        int digits = out.length() - 1;
        if (digits < MIN_DIGITS || digits > MAX_DIGITS || out.charAt(1) == '0') {
            return Optional.empty();
        }
        return Optional.of(out.toString());
    }

    public static boolean isCanonical(String text) {
        return text != null && normalise(text).map(text::equals).orElse(false);
    }
}
