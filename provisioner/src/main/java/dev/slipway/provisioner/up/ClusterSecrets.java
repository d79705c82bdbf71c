package dev.slipway.provisioner.up;

import dev.slipway.provisioner.cluster.ClusterDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * The two secrets of a cluster that are not certificates, made once in the cluster directory
 * (0600) and reused by every run: the key file that encrypts Secrets at rest on the masters, and
 * the bootstrap token the nodes join with. Load, check, else create; a damaged file stops the run.
 */
public final class ClusterSecrets {
  static final String ENCRYPTION_KEYS = "encryption.keys";
  static final String BOOTSTRAP_TOKEN = "bootstrap-token";
  private static final Pattern TOKEN = Pattern.compile("([a-z0-9]{6})\\.([a-z0-9]{16})");
  private static final String TOKEN_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
  private static final SecureRandom RANDOM = new SecureRandom();

  /** {@code <id>.<secret>} as Kubernetes' bootstrap tokens are written. */
  public record BootstrapToken(String id, String secret) {
    public static BootstrapToken parse(String text, Path source) {
      var m = TOKEN.matcher(text.strip());
      if (!m.matches()) {
        throw new IllegalStateException(source + " does not hold a bootstrap token (<6 of a-z0-9>.<16 of a-z0-9>); "
            + "delete it to make a new one (nodes that already joined keep working)");
      }
      return new BootstrapToken(m.group(1), m.group(2));
    }

    @Override
    public String toString() {
      return id + "." + secret;
    }
  }

  private ClusterSecrets() {}

  public static Path encryptionKeyFile(ClusterDirectory dir) {
    return dir.root().resolve(ENCRYPTION_KEYS);
  }

  /** The encryption key file, made (one AES-256 key named {@code key1}) on the first run; true when it was made now. */
  public static boolean ensureEncryptionKeys(ClusterDirectory dir) {
    var file = encryptionKeyFile(dir);
    if (Files.isRegularFile(file)) {
      checkEncryptionKeys(file);
      return false;
    }
    var key = new byte[32];
    RANDOM.nextBytes(key);
    writeOwnerOnly(file, "- id: key1\n  secret: " + Base64.getEncoder().encodeToString(key) + "\n");
    return true;
  }

  /** The cluster's bootstrap token, made on the first run. */
  public static BootstrapToken bootstrapToken(ClusterDirectory dir) {
    var file = dir.root().resolve(BOOTSTRAP_TOKEN);
    try {
      return BootstrapToken.parse(Files.readString(file), file);
    } catch (NoSuchFileException e) {
      var token = new BootstrapToken(random(6), random(16));
      writeOwnerOnly(file, token + "\n");
      return token;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static void checkEncryptionKeys(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    var secret = Pattern.compile("secret:\\s*(\\S+)").matcher(text);
    if (!secret.find() || decodedLength(secret.group(1)) != 32) {
      throw new IllegalStateException(file + " holds no 32-byte base64 'secret:'; the masters could not read their Secrets with it. "
          + "Restore it from a backup; a new key would make every stored Secret unreadable");
    }
  }

  private static int decodedLength(String base64) {
    try {
      return Base64.getDecoder().decode(base64).length;
    } catch (IllegalArgumentException e) {
      return -1;
    }
  }

  private static String random(int length) {
    var out = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      out.append(TOKEN_ALPHABET.charAt(RANDOM.nextInt(TOKEN_ALPHABET.length())));
    }
    return out.toString();
  }

  private static void writeOwnerOnly(Path file, String content) {
    var temp = file.resolveSibling("." + file.getFileName() + ".partial");
    try {
      Files.deleteIfExists(temp);
      Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(temp, content, StandardCharsets.UTF_8);
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
