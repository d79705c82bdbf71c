package dev.slipway.provisioner.etcd;

import dev.slipway.provisioner.inventory.Host;
import dev.slipway.provisioner.phase.ClusterContext;

/** Stops the agent and its etcd on every member; the restore tool refuses to run beside a live etcd. */
final class StopMembers extends RestoreRun.OnMembers {
  private final RestoreRun run;

  StopMembers(RestoreRun run) {
    this.run = run;
  }

  @Override
  public String title() {
    return "Stop agents and etcd on the members";
  }

  @Override
  protected Void runOn(Host host, ClusterContext context) {
    run.agent(host, context).stop();
    return null;
  }
}
