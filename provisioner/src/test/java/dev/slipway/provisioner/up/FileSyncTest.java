package dev.slipway.provisioner.up;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.provisioner.transport.FileAttributes;
import dev.slipway.provisioner.transport.LocalTransport;
import dev.slipway.provisioner.up.FileSync.Content;
import dev.slipway.provisioner.up.FileSync.ShippedFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** File shipping against the local transport: a real shell, real sha256sum, real files. */
class FileSyncTest {
  @TempDir
  Path root;

  private List<ShippedFile> files(String config) {
    return List.of(
        new ShippedFile("/etc/slipway/agent.yaml", new Content.Bytes(config.getBytes(StandardCharsets.UTF_8)),
            FileAttributes.secretFile()),
        new ShippedFile("/opt/slipway/bin/tool", new Content.Bytes("#!/bin/sh\n".getBytes(StandardCharsets.UTF_8)),
            FileAttributes.executable()));
  }

  @Test
  void theFirstSyncWritesEveryFileWithItsMode() throws IOException {
    var host = new LocalTransport("h1", root);

    var written = FileSync.sync(host, files("a: 1\n"));

    assertThat(written).containsExactly("/etc/slipway/agent.yaml", "/opt/slipway/bin/tool");
    assertThat(Files.getPosixFilePermissions(root.resolve("etc/slipway/agent.yaml")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.getPosixFilePermissions(root.resolve("opt/slipway/bin/tool")))
        .isEqualTo(PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @Test
  void aSecondSyncOfTheSameFilesWritesNothing() {
    var host = new LocalTransport("h1", root);
    FileSync.sync(host, files("a: 1\n"));

    var written = FileSync.sync(host, files("a: 1\n"));

    assertThat(written).isEmpty();
  }

  @Test
  void onlyTheFileThatDiffersIsWritten() throws IOException {
    var host = new LocalTransport("h1", root);
    FileSync.sync(host, files("a: 1\n"));

    var written = FileSync.sync(host, files("a: 2\n"));

    assertThat(written).containsExactly("/etc/slipway/agent.yaml");
    assertThat(Files.readString(root.resolve("etc/slipway/agent.yaml"))).isEqualTo("a: 2\n");
  }

  @Test
  void aFileChangedOnTheHostIsPutBack() throws IOException {
    var host = new LocalTransport("h1", root);
    FileSync.sync(host, files("a: 1\n"));
    Files.writeString(root.resolve("opt/slipway/bin/tool"), "tampered");

    var written = FileSync.sync(host, files("a: 1\n"));

    assertThat(written).containsExactly("/opt/slipway/bin/tool");
  }
}
