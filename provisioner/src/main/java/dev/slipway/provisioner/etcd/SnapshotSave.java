package dev.slipway.provisioner.etcd;

import dev.slipway.agent.config.AgentFormats;
import dev.slipway.agent.snapshot.EtcdAccess;
import dev.slipway.agent.snapshot.SnapshotMetadata;
import dev.slipway.agent.snapshot.SnapshotWriter;
import dev.slipway.pki.CertificateCatalogue;
import dev.slipway.provisioner.cluster.ClusterDirectory;
import dev.slipway.provisioner.inventory.Inventory;
import dev.slipway.provisioner.inventory.Role;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * {@code etcd snapshot save}: streams a snapshot from a healthy member over mutual TLS to this
 * machine (temp name, then rename) with its sidecar, written by the agent's own {@link SnapshotWriter}.
 */
public final class SnapshotSave {
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);

  /** The snapshot written, from which member. */
  public record Saved(Path file, SnapshotMetadata metadata, String member) {}

  private SnapshotSave() {}

  /**
   * @param output a folder to write into (named by the writer), or a {@code .db} file name; empty for
   *               the cluster directory's {@code snapshots/}
   */
  public static Saved save(Inventory inventory, ClusterDirectory dir, CertificateCatalogue catalogue,
                           Optional<Path> output, Consumer<String> progress) {
    var members = inventory.hostsWith(Role.ETCD);
    var access = EtcdEndpoints.access(dir, catalogue, members);
    try (var cluster = EtcdCluster.connect(access)) {
      var health = members.stream().map(h -> cluster.health(h, PROBE_TIMEOUT)).toList();
      var chosen = health.stream().filter(EtcdCluster.Health::healthy).findFirst().orElseThrow(() -> new IllegalStateException(
          "no healthy etcd member to snapshot: " + health.stream().map(h -> h.host() + ": " + h.error())
              .collect(Collectors.joining("; "))));
      progress.accept("streaming a snapshot from " + chosen.host() + " (" + chosen.endpoint() + "), revision "
          + chosen.revision());
      var target = output.map(Path::toAbsolutePath).orElse(dir.snapshots());
      boolean named = target.getFileName().toString().endsWith(".db") && !Files.isDirectory(target);
      var folder = named ? target.getParent() : target;
      var one = new EtcdAccess(List.of(chosen.endpoint()), access.caCert(), access.clientCert(), access.clientKey());
      SnapshotMetadata metadata;
      try (var client = one.connect()) {
        metadata = new SnapshotWriter(folder, inventory.name()).save(client);
      }
      var written = folder.resolve(metadata.file());
      if (!named) {
        return new Saved(written, metadata, chosen.host());
      }
      return new Saved(target, rename(written, target, metadata), chosen.host());
    }
  }

  private static SnapshotMetadata rename(Path written, Path target, SnapshotMetadata metadata) {
    var renamed = new SnapshotMetadata(target.getFileName().toString(), metadata.cluster(), metadata.sha256(),
        metadata.size(), metadata.revision(), metadata.time(), metadata.members());
    try {
      var sidecar = SnapshotMetadata.sidecarOf(target);
      var temp = sidecar.resolveSibling("." + sidecar.getFileName() + ".partial");
      Files.write(temp, AgentFormats.JSON.writeValueAsBytes(renamed));
      Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
      Files.move(written, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      Files.move(temp, sidecar, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      Files.deleteIfExists(SnapshotMetadata.sidecarOf(written));
      return renamed;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot move the snapshot to " + target + ": " + e.getMessage(), e);
    }
  }
}
