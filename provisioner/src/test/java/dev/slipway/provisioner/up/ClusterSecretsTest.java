package dev.slipway.provisioner.up;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.provisioner.cluster.ClusterDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterSecretsTest {
  @TempDir
  Path temp;

  @Test
  void theEncryptionKeyIsMadeOnceOwnerOnlyAndThenReused() throws Exception {
    // Given
    var dir = ClusterDirectory.open(temp.resolve("cluster"));

    // When
    boolean madeFirst = ClusterSecrets.ensureEncryptionKeys(dir);
    var first = Files.readString(ClusterSecrets.encryptionKeyFile(dir));
    boolean madeSecond = ClusterSecrets.ensureEncryptionKeys(dir);

    // Then
    assertThat(madeFirst).isTrue();
    assertThat(madeSecond).isFalse();
    assertThat(Files.readString(ClusterSecrets.encryptionKeyFile(dir))).isEqualTo(first);
    assertThat(Files.getPosixFilePermissions(ClusterSecrets.encryptionKeyFile(dir))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    var secret = first.substring(first.indexOf("secret:") + 7).strip();
    assertThat(first).startsWith("- id: key1\n");
    assertThat(Base64.getDecoder().decode(secret)).hasSize(32);
  }

  @Test
  void aDamagedEncryptionKeyStopsTheRunInsteadOfBeingReplaced() throws Exception {
    // Given
    var dir = ClusterDirectory.open(temp.resolve("cluster"));
    Files.writeString(ClusterSecrets.encryptionKeyFile(dir), "- id: key1\n  secret: c2hvcnQ=\n");

    // Then
    assertThatThrownBy(() -> ClusterSecrets.ensureEncryptionKeys(dir))
        .hasMessageContaining(ClusterSecrets.encryptionKeyFile(dir).toString())
        .hasMessageContaining("a new key would make every stored Secret unreadable");
    assertThat(Files.readString(ClusterSecrets.encryptionKeyFile(dir))).contains("c2hvcnQ=");
  }

  @Test
  void theBootstrapTokenIsStableAcrossRunsAndHasKubernetesForm() throws Exception {
    // Given
    var dir = ClusterDirectory.open(temp.resolve("cluster"));

    // When
    var first = ClusterSecrets.bootstrapToken(dir);
    var second = ClusterSecrets.bootstrapToken(dir);

    // Then
    assertThat(second).isEqualTo(first);
    assertThat(first.toString()).matches("[a-z0-9]{6}\\.[a-z0-9]{16}");
    assertThat(Files.getPosixFilePermissions(dir.root().resolve(ClusterSecrets.BOOTSTRAP_TOKEN)))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
  }

  @Test
  void aMalformedBootstrapTokenFileIsNamed() throws Exception {
    // Given
    var dir = ClusterDirectory.open(temp.resolve("cluster"));
    Files.writeString(dir.root().resolve(ClusterSecrets.BOOTSTRAP_TOKEN), "ABC.def\n");

    // Then
    assertThatThrownBy(() -> ClusterSecrets.bootstrapToken(dir))
        .hasMessageContaining(dir.root().resolve(ClusterSecrets.BOOTSTRAP_TOKEN) + " does not hold a bootstrap token");
  }
}
