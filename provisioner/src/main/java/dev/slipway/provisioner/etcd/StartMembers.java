package dev.slipway.provisioner.etcd;

import dev.slipway.provisioner.inventory.Host;
import dev.slipway.provisioner.phase.ClusterContext;

/** Starts every member's agent together, so that the restored cluster forms its quorum. */
final class StartMembers extends RestoreRun.OnMembers {
  private final RestoreRun run;

  StartMembers(RestoreRun run) {
    this.run = run;
  }

  @Override
  public String title() {
    return "Start agents on the members";
  }

  @Override
  protected Void runOn(Host host, ClusterContext context) {
    run.agent(host, context).start();
    return null;
  }
}
