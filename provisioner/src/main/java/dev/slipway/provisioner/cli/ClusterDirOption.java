package dev.slipway.provisioner.cli;

import dev.slipway.provisioner.cluster.ClusterDirectory;
import dev.slipway.provisioner.inventory.Inventory;
import dev.slipway.provisioner.phase.ClusterContext;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --cluster-dir DIR}: the cluster's folder of certificates, state and snapshots. */
final class ClusterDirOption {
  @Option(names = "--cluster-dir", paramLabel = "DIR",
      description = "The cluster's directory (default: ~/.slipway/clusters/<name>/).")
  Path dir;

  ClusterDirectory open(Inventory inventory) {
    return ClusterDirectory.open(dir != null ? dir : ClusterContext.defaultClusterDir(inventory));
  }
}
