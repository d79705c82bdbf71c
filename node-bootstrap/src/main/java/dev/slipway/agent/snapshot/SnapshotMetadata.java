package dev.slipway.agent.snapshot;

import dev.slipway.agent.config.AgentFormats;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import tools.jackson.core.JacksonException;

/**
 * The sidecar {@code <name>.json} written beside each snapshot {@code <name>.db}: what it holds and
 * how to check that the file is the one that was taken.
 *
 * @param revision etcd's revision when the snapshot began; the snapshot holds at least this revision
 */
public record SnapshotMetadata(
    String file, String cluster, String sha256, long size, long revision, Instant time, List<Member> members) {

  /** An etcd member at snapshot time. */
  public record Member(String name, List<URI> peerUrls, List<URI> clientUrls) {
    public Member {
      peerUrls = List.copyOf(peerUrls);
      clientUrls = List.copyOf(clientUrls);
    }
  }

  public SnapshotMetadata {
    members = List.copyOf(members);
  }

  /** {@code x.db} → {@code x.json}. */
  public static Path sidecarOf(Path snapshot) {
    String name = snapshot.getFileName().toString();
    String base = name.endsWith(".db") ? name.substring(0, name.length() - 3) : name;
    return snapshot.resolveSibling(base + ".json");
  }

  public static SnapshotMetadata read(Path sidecar) {
    try {
      return AgentFormats.JSON.readValue(Files.readAllBytes(sidecar), SnapshotMetadata.class);
    } catch (NoSuchFileException e) {
      throw new SnapshotException("no snapshot metadata at " + sidecar, e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read snapshot metadata " + sidecar, e);
    } catch (JacksonException e) {
      throw new SnapshotException("snapshot metadata " + sidecar + " is not valid: " + e.getOriginalMessage(), e);
    }
  }

  /** Writes atomically (temp file, then rename). */
  void write(Path sidecar) {
    Path temp = sidecar.resolveSibling("." + sidecar.getFileName() + ".partial");
    try {
      Files.deleteIfExists(temp);
      Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.write(temp, AgentFormats.JSON.writeValueAsBytes(this));
      Files.move(temp, sidecar, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write snapshot metadata " + sidecar, e);
    }
  }

  /**
   * Checks a snapshot file against an expected sha256 (hex) before anyone uses it.
   *
   * @throws SnapshotException naming the file and both digests when they differ
   */
  public static void verify(Path snapshot, String expectedSha256) {
    String actual = sha256(snapshot);
    if (!actual.equalsIgnoreCase(expectedSha256.strip())) {
      throw new SnapshotException("snapshot " + snapshot + " has sha256 " + actual + " but " + expectedSha256.strip()
          + " was expected; the file is damaged or not the snapshot meant");
    }
  }

  public static String sha256(Path file) {
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest())) {
      in.transferTo(OutputStream.nullOutputStream());
      return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
    } catch (NoSuchFileException e) {
      throw new SnapshotException("no snapshot file at " + file, e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }
}
