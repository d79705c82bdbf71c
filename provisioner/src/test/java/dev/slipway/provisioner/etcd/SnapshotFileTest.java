package dev.slipway.provisioner.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.agent.config.AgentFormats;
import dev.slipway.agent.snapshot.SnapshotException;
import dev.slipway.agent.snapshot.SnapshotMetadata;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SnapshotFileTest {
  @TempDir
  Path dir;

  /** 4 KiB that start like a bbolt file: page header, then the meta magic 0xED0CDAED little-endian. */
  static byte[] bboltLike() {
    var bytes = new byte[4096];
    Arrays.fill(bytes, (byte) 7);
    bytes[16] = (byte) 0xED;
    bytes[17] = (byte) 0xDA;
    bytes[18] = (byte) 0x0C;
    bytes[19] = (byte) 0xED;
    return bytes;
  }

  /** Writes the snapshot and a sidecar describing {@code described} (what the file should be). */
  private Path snapshot(byte[] described, byte[] actual) throws IOException {
    var file = dir.resolve("s.db");
    Files.write(file, described);
    var metadata = new SnapshotMetadata("s.db", "demo", SnapshotMetadata.sha256(file), described.length, 42,
        Instant.parse("2026-11-27T10:00:00Z"), List.of());
    Files.write(SnapshotMetadata.sidecarOf(file), AgentFormats.JSON.writeValueAsBytes(metadata));
    Files.write(file, actual);
    return file;
  }

  @Test
  void aSnapshotThatMatchesItsSidecarAndLooksLikeBboltIsAccepted() throws IOException {
    var file = snapshot(bboltLike(), bboltLike());

    var verified = SnapshotFile.verified(file);

    assertThat(verified.metadata().revision()).isEqualTo(42);
  }

  static List<Arguments> damaged() {
    UnaryOperator<byte[]> truncate = b -> Arrays.copyOf(b, b.length / 2);
    UnaryOperator<byte[]> flip = b -> {
      var copy = b.clone();
      copy[2000] ^= 1;
      return copy;
    };
    return List.of(
        Arguments.of("truncated", truncate, "truncated"),
        Arguments.of("one byte changed", flip, "has sha256"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("damaged")
  void aDamagedSnapshotIsRefusedNamingTheFile(String name, UnaryOperator<byte[]> damage, String message) throws IOException {
    var file = snapshot(bboltLike(), damage.apply(bboltLike()));

    assertThatThrownBy(() -> SnapshotFile.verified(file)).isInstanceOf(SnapshotException.class)
        .hasMessageContaining(file.toString()).hasMessageContaining(message);
  }

  @Test
  void aFileThatIsNotABboltDatabaseIsRefusedEvenWithAMatchingSidecar() throws IOException {
    var notBbolt = new byte[4096];
    var file = snapshot(notBbolt, notBbolt);

    assertThatThrownBy(() -> SnapshotFile.verified(file)).isInstanceOf(SnapshotException.class)
        .hasMessageContaining("not an etcd (bbolt) database");
  }

  @Test
  void aSnapshotWithoutItsSidecarIsRefused() throws IOException {
    var file = Files.write(dir.resolve("lonely.db"), bboltLike());

    assertThatThrownBy(() -> SnapshotFile.verified(file)).isInstanceOf(SnapshotException.class)
        .hasMessageContaining("no snapshot metadata at " + dir.resolve("lonely.json"));
  }
}
