package dev.slipway.provisioner.etcd;

import dev.slipway.pki.CertificateCatalogue;
import dev.slipway.provisioner.cluster.ClusterDirectory;
import dev.slipway.provisioner.phase.Phase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The flow of {@code slipway etcd restore}: nothing on a host is touched until the snapshot checks
 * out and every member host answers; then stop all, restore each, start all, check.
 */
public final class ClusterRestore {
  private final RestoreRun run;
  private final Duration timeout;

  public ClusterRestore(ClusterDirectory dir, CertificateCatalogue catalogue, Path snapshot, String cluster, Duration timeout) {
    this.run = new RestoreRun(dir, catalogue, snapshot.toAbsolutePath(), cluster);
    this.timeout = timeout;
  }

  public List<Phase> phases() {
    return List.of(
        new VerifySnapshot(run),
        new ReachMembers(run),
        new StopMembers(run),
        new RestoreMembers(run),
        new StartMembers(run),
        new CheckRestored(run, timeout));
  }
}
