package dev.slipway.controlplane.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Encryption at rest for Secrets: AES-256-GCM with the keys of a key file. The first key encrypts,
 * every key decrypts, so that a rotated-in key can be put first while values written with the old
 * one stay readable. A stored value is {@code k8s:enc:aesgcm:v1:<key id>:} + nonce + ciphertext;
 * the etcd key is authenticated with it, so a value cannot be moved to another Secret. Every other
 * resource is stored as it is.
 *
 * <p>Key file (YAML or JSON), written by {@link #generateKeyFile}:
 * <pre>
 * - id: key1
 *   secret: 4kR0...base64 of 32 random bytes...=
 * </pre>
 */
public final class SecretEncryption implements ValueTransformer {

    static final String PREFIX = "k8s:enc:aesgcm:v1:";
    private static final String RESOURCE = "secrets";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String writeKeyId;
    private final Map<String, SecretKey> keys; // in file order; the first encrypts

    private SecretEncryption(Map<String, SecretKey> keys) {
        this.keys = keys;
        this.writeKeyId = keys.keySet().iterator().next();
    }

    /** Reads and checks a key file; every problem names the file and the entry. */
    public static SecretEncryption load(Path keyFile) {
        JsonNode root;
        try {
            root = YAMLMapper.builder().build().readTree(Files.readString(keyFile, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the encryption key file " + keyFile, e);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("encryption key file " + keyFile + " is not valid YAML or JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isArray() || root.isEmpty()) {
            throw new IllegalArgumentException("encryption key file " + keyFile + " must be a non-empty list of {id, secret}");
        }
        Map<String, SecretKey> keys = new LinkedHashMap<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode entry = root.get(i);
            String where = "encryption key file " + keyFile + ", entry " + (i + 1);
            String id = entry.path("id").asString("");
            String secret = entry.path("secret").asString("");
            if (!KEY_ID.matcher(id).matches()) {
                throw new IllegalArgumentException(where + ": id '" + id + "' must be 1-64 letters, digits, '-' or '_'");
            }
            if (keys.containsKey(id)) {
                throw new IllegalArgumentException(where + ": id '" + id + "' appears twice");
            }
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(secret);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + " (id " + id + "): secret is not base64");
            }
            if (bytes.length != 32) {
                throw new IllegalArgumentException(where + " (id " + id + "): secret must be 32 bytes for AES-256, not " + bytes.length);
            }
            keys.put(id, new SecretKeySpec(bytes, "AES"));
        }
        return new SecretEncryption(keys);
    }

    /**
     * Writes a new key file with one random key, readable by its owner only (0600). Refuses to
     * overwrite an existing file: losing the key loses every Secret.
     */
    public static void generateKeyFile(Path keyFile, String keyId) {
        if (!KEY_ID.matcher(keyId).matches()) {
            throw new IllegalArgumentException("key id '" + keyId + "' must be 1-64 letters, digits, '-' or '_'");
        }
        if (Files.exists(keyFile)) {
            throw new IllegalStateException("encryption key file " + keyFile + " already exists; not overwriting it");
        }
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String text = "- id: " + keyId + "\n  secret: " + Base64.getEncoder().encodeToString(secret) + "\n";
        try {
            Path parent = keyFile.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path temporary = Files.createTempFile(parent, ".encryption-", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(temporary, text, StandardCharsets.UTF_8);
            try {
                Files.move(temporary, keyFile, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(temporary);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the encryption key file " + keyFile, e);
        }
    }

    /** The ids of the keys, the encrypting one first. */
    public List<String> keyIds() {
        return new ArrayList<>(keys.keySet());
    }

    @Override
    public byte[] toStorage(ObjectKey key, byte[] json) {
        if (!RESOURCE.equals(key.resource())) {
            return json;
        }
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        byte[] header = (PREFIX + writeKeyId + ":").getBytes(StandardCharsets.US_ASCII);
        try {
            Cipher cipher = cipher(Cipher.ENCRYPT_MODE, keys.get(writeKeyId), nonce, key);
            byte[] sealed = cipher.doFinal(json);
            byte[] stored = Arrays.copyOf(header, header.length + NONCE_BYTES + sealed.length);
            System.arraycopy(nonce, 0, stored, header.length, NONCE_BYTES);
            System.arraycopy(sealed, 0, stored, header.length + NONCE_BYTES, sealed.length);
            return stored;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption of " + key + " failed", e);
        }
    }

    @Override
    public byte[] fromStorage(ObjectKey key, byte[] stored) {
        if (!RESOURCE.equals(key.resource()) || !startsWith(stored, PREFIX)) {
            return stored; // written before encryption was turned on
        }
        int idEnd = indexOf(stored, (byte) ':', PREFIX.length());
        if (idEnd < 0) {
            throw new StorageException.Unavailable("stored value of " + key + " has a malformed encryption prefix");
        }
        String id = new String(stored, PREFIX.length(), idEnd - PREFIX.length(), StandardCharsets.US_ASCII);
        SecretKey secret = keys.get(id);
        if (secret == null) {
            throw new StorageException.Unavailable("stored value of " + key + " is encrypted with key '" + id
                    + "', which is not in the encryption key file (it has " + keys.keySet() + ")");
        }
        int nonceStart = idEnd + 1;
        if (stored.length < nonceStart + NONCE_BYTES + TAG_BITS / 8) {
            throw new StorageException.Unavailable("stored value of " + key + " is too short to be AES-GCM ciphertext");
        }
        byte[] nonce = Arrays.copyOfRange(stored, nonceStart, nonceStart + NONCE_BYTES);
        try {
            Cipher cipher = cipher(Cipher.DECRYPT_MODE, secret, nonce, key);
            return cipher.doFinal(stored, nonceStart + NONCE_BYTES, stored.length - nonceStart - NONCE_BYTES);
        } catch (GeneralSecurityException e) {
            throw new StorageException.Unavailable("stored value of " + key + " does not decrypt with key '" + id
                    + "' (tampered, or the key changed under the same id)", e);
        }
    }

    private static Cipher cipher(int mode, SecretKey secret, byte[] nonce, ObjectKey key) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, secret, new GCMParameterSpec(TAG_BITS, nonce));
        cipher.updateAAD(key.path().getBytes(StandardCharsets.UTF_8));
        return cipher;
    }

    private static boolean startsWith(byte[] value, String prefix) {
        byte[] expected = prefix.getBytes(StandardCharsets.US_ASCII);
        return value.length >= expected.length && Arrays.equals(value, 0, expected.length, expected, 0, expected.length);
    }

    private static int indexOf(byte[] value, byte wanted, int from) {
        for (int i = from; i < Math.min(value.length, from + 65); i++) {
            if (value[i] == wanted) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        return "SecretEncryption" + keyIds();
    }
}
