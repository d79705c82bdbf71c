package dev.slipway.provisioner.etcd;

import dev.slipway.provisioner.phase.ClusterContext;
import dev.slipway.provisioner.phase.Phase;
import dev.slipway.provisioner.phase.PhaseFailed;

/** Checks the snapshot (sidecar, size, sha256, bbolt magic, cluster name) before any host is touched. */
final class VerifySnapshot implements Phase {
  private final RestoreRun run;

  VerifySnapshot(RestoreRun run) {
    this.run = run;
  }

  @Override
  public String title() {
    return "Verify the snapshot";
  }

  @Override
  public void run(ClusterContext context) {
    var file = SnapshotFile.verified(run.snapshot);
    if (!file.metadata().cluster().equals(context.inventory().name())) {
      throw new PhaseFailed("snapshot " + run.snapshot + " is of cluster \"" + file.metadata().cluster()
          + "\", not of \"" + context.inventory().name() + "\" (" + context.inventory().file() + ")");
    }
    run.verified = file;
    context.progress().note("snapshot " + run.snapshot.getFileName() + ": " + file.metadata().size() + " bytes, sha256 "
        + file.metadata().sha256().substring(0, 16) + "..., revision " + file.metadata().revision() + ", taken "
        + file.metadata().time());
  }
}
