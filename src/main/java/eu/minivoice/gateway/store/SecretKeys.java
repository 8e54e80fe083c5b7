package eu.minivoice.gateway.store;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

/**
 * Where the key of the {@link SecretBox} comes from: {@code MINIVOICE_SECRET_KEY} (base64 of 32
 * bytes) when set — the choice for containers and secret managers — else a key file, generated at
 * the first start with mode 0600. The file is kept apart from the database file so that a copy of
 * the database alone does not reveal the secrets; back it up apart from the database too.
 */
public final class SecretKeys {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    /** What was loaded, and whether the file was created just now (worth a log line). */
    public record Loaded(byte[] key, String source, boolean generated) {
    }

    private SecretKeys() {
    }

    /** @param configured base64 of 32 bytes, or empty to use {@code keyFile} */
    public static Loaded load(String configured, Path keyFile, SecureRandom random) throws IOException {
        if (!configured.isEmpty()) {
            return new Loaded(decode(configured, "MINIVOICE_SECRET_KEY"), "MINIVOICE_SECRET_KEY", false);
        }
        if (Files.exists(keyFile)) {
            return new Loaded(decode(Files.readString(keyFile).strip(), keyFile.toString()), keyFile.toString(), false);
        }
        byte[] key = new byte[32];
        random.nextBytes(key);
        Files.createDirectories(keyFile.toAbsolutePath().getParent());
        try {
            if (Files.getFileStore(keyFile.toAbsolutePath().getParent()).supportsFileAttributeView("posix")) {
                Files.createFile(keyFile, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            } else {
                Files.createFile(keyFile);
            }
        } catch (FileAlreadyExistsException raced) {
            return load(configured, keyFile, random);
        }
        Files.writeString(keyFile, Base64.getEncoder().encodeToString(key) + "\n");
        return new Loaded(key, keyFile.toString(), true);
    }

    /** @throws IllegalArgumentException naming {@code where} (never the value) when it is not base64 of 32 bytes */
    public static byte[] decode(String base64, String where) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + " is not base64");
        }
        if (key.length != 32) {
            throw new IllegalArgumentException(where + " must be 32 bytes (base64 of 32 random bytes, e.g."
                    + " `openssl rand -base64 32`), got " + key.length);
        }
        return key;
    }
}
