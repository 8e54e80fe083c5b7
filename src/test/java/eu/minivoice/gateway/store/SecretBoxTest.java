package eu.minivoice.gateway.store;

import org.junit.jupiter.api.Test;

import java.security.SecureRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SecretBoxTest {
    private static byte[] key(int fill) {
        byte[] k = new byte[32];
        java.util.Arrays.fill(k, (byte) fill);
        return k;
    }

    private final SecretBox box = new SecretBox(key(7), new SecureRandom());

    @Test
    void aSealedValueOpensOnlyWithItsKeyAndInItsPlace() {
        String sealed = box.seal("s3cr3t-pässword", "trunks.password:trunk_a");
        assertTrue(sealed.startsWith("enc:v1:"));
        assertFalse(sealed.contains("s3cr3t"));
        assertNotEquals(sealed, box.seal("s3cr3t-pässword", "trunks.password:trunk_a"), "a fresh nonce each time");
        assertEquals("s3cr3t-pässword", box.open(sealed, "trunks.password:trunk_a"));
        // Copied into another tenant's row, or opened with another key: refused.
        assertThrows(SecretBox.WrongKeyException.class, () -> box.open(sealed, "trunks.password:trunk_b"));
        assertThrows(SecretBox.WrongKeyException.class,
                () -> new SecretBox(key(8), new SecureRandom()).open(sealed, "trunks.password:trunk_a"));
        assertThrows(SecretBox.WrongKeyException.class, () -> box.open("enc:v1:not-base64!", "x"));
    }

    @Test
    void plainValuesFromBeforeEncryptionAndNullsPassThrough() {
        assertEquals("legacy", box.open("legacy", "trunks.password:trunk_a"));
        assertEquals(null, box.seal(null, "x"));
        assertEquals(null, box.open(null, "x"));
        assertThrows(IllegalArgumentException.class, () -> new SecretBox(new byte[16], new SecureRandom()));
    }

    @Test
    void aKeyMustBeBase64Of32Bytes() {
        assertEquals(32, SecretKeys.decode(java.util.Base64.getEncoder().encodeToString(key(1)), "k").length);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SecretKeys.decode("c2hvcnQ=", "MINIVOICE_SECRET_KEY"));
        assertFalse(e.getMessage().contains("c2hvcnQ="), "the value is never echoed");
    }
}
