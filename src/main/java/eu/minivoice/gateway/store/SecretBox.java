package eu.minivoice.gateway.store;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * Encrypts the secrets the gateway must be able to read back (trunk passwords for Digest, webhook
 * and events signing secrets) before they reach the database: AES-256-GCM, a fresh 96-bit nonce
 * per value, and the value's place ({@code table.column:row id}) as associated data, so a
 * ciphertext copied into another row (another tenant's) does not open. Stored form:
 * {@code enc:v1:<base64(nonce || ciphertext+tag)>}. API keys are not here: they are only ever
 * compared, so they are stored as hashes.
 */
public final class SecretBox {
    public static final String PREFIX = "enc:v1:";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecretKeySpec key;
    private final SecureRandom random;

    public SecretBox(byte[] key, SecureRandom random) {
        if (key.length != 32) {
            throw new IllegalArgumentException("the secret key must be 32 bytes (AES-256), got " + key.length);
        }
        this.key = new SecretKeySpec(key.clone(), "AES");
        this.random = random;
    }

    /** @param place where the value lives, e.g. {@code trunks.password:trunk_…} (bound to the ciphertext) */
    public String seal(String plain, String place) {
        if (plain == null) {
            return null;
        }
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(place.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = c.doFinal(plain.getBytes(StandardCharsets.UTF_8));
            byte[] out = Arrays.copyOf(nonce, NONCE_BYTES + sealed.length);
            System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
            return PREFIX + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available: " + e.getMessage(), e);
        }
    }

    /**
     * The plain value of a stored one. A value without the prefix is a row from before encryption
     * (it is sealed at start-up) and is returned as it is.
     *
     * @throws WrongKeyException when the value does not open with this key (another key, or a
     *                           value moved from another row)
     */
    public String open(String stored, String place) {
        if (stored == null || !stored.startsWith(PREFIX)) {
            return stored;
        }
        byte[] all;
        try {
            all = Base64.getDecoder().decode(stored.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new WrongKeyException(place + " is not a sealed value");
        }
        if (all.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new WrongKeyException(place + " is not a sealed value");
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, all, 0, NONCE_BYTES));
            c.updateAAD(place.getBytes(StandardCharsets.UTF_8));
            return new String(c.doFinal(all, NONCE_BYTES, all.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (AEADBadTagException e) {
            throw new WrongKeyException(place + " does not open with this secret key");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available: " + e.getMessage(), e);
        }
    }

    public static boolean isSealed(String stored) {
        return stored != null && stored.startsWith(PREFIX);
    }

    /** A stored secret does not open: the key is not the one it was sealed with. */
    public static final class WrongKeyException extends StoreException {
        public WrongKeyException(String message) {
            super(message, null);
        }
    }
}
