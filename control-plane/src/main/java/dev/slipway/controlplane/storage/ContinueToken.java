package dev.slipway.controlplane.storage;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Where the next page of a list starts: the revision the first page was read at (every page reads
 * the same snapshot) and the next key, relative to the listed prefix so that a token cannot reach
 * outside it.
 */
record ContinueToken(long revision, String nextKey) {

    private static final String VERSION = "v1";

    String encode() {
        String plain = VERSION + ":" + revision + ":" + nextKey;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    }

    static ContinueToken decode(String token) {
        String plain;
        try {
            plain = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new StorageException.InvalidContinue("not base64url");
        }
        String[] parts = plain.split(":", 3);
        if (parts.length != 3 || !parts[0].equals(VERSION)) {
            throw new StorageException.InvalidContinue("not a token issued by this server");
        }
        long revision;
        try {
            revision = Long.parseLong(parts[1]);
        } catch (NumberFormatException e) {
            throw new StorageException.InvalidContinue("revision '" + parts[1] + "' is not a number");
        }
        if (revision <= 0 || parts[2].isEmpty() || parts[2].contains("..")) {
            throw new StorageException.InvalidContinue("revision or next key out of range");
        }
        return new ContinueToken(revision, parts[2]);
    }
}
