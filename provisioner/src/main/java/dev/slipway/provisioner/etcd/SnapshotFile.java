package dev.slipway.provisioner.etcd;

import dev.slipway.agent.snapshot.SnapshotException;
import dev.slipway.agent.snapshot.SnapshotMetadata;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A snapshot on this machine, checked before anyone uses it: its sidecar exists, its size and
 * sha256 match the sidecar, and it starts like a bbolt database (etcd's backend file).
 */
public record SnapshotFile(Path file, SnapshotMetadata metadata) {
  /** bbolt's meta page magic, little-endian at offset 16 of the first page. */
  static final int BBOLT_MAGIC = 0xED0CDAED;
  private static final int MAGIC_OFFSET = 16;

  /** Reads the sidecar and checks the file against it; throws {@link SnapshotException} naming what is wrong. */
  public static SnapshotFile verified(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new SnapshotException("no snapshot file at " + file);
    }
    var sidecar = SnapshotMetadata.sidecarOf(file);
    var metadata = SnapshotMetadata.read(sidecar);
    long size = size(file);
    if (size != metadata.size()) {
      throw new SnapshotException("snapshot " + file + " has " + size + " bytes but its sidecar " + sidecar + " says "
          + metadata.size() + "; the file is truncated or not the snapshot meant");
    }
    SnapshotMetadata.verify(file, metadata.sha256());
    if (!bbolt(file)) {
      throw new SnapshotException("snapshot " + file + " is not an etcd (bbolt) database: its first page lacks the bbolt magic");
    }
    return new SnapshotFile(file, metadata);
  }

  static boolean bbolt(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] head = in.readNBytes(MAGIC_OFFSET + 4);
      if (head.length < MAGIC_OFFSET + 4) {
        return false;
      }
      int magic = (head[MAGIC_OFFSET] & 0xff) | (head[MAGIC_OFFSET + 1] & 0xff) << 8
          | (head[MAGIC_OFFSET + 2] & 0xff) << 16 | (head[MAGIC_OFFSET + 3] & 0xff) << 24;
      return magic == BBOLT_MAGIC;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
