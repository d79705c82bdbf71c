package dev.slipway.provisioner.etcd;

import dev.slipway.provisioner.inventory.Host;
import dev.slipway.provisioner.phase.ClusterContext;

/** Every member host must answer before anything is stopped: a restore needs all of them. */
final class ReachMembers extends RestoreRun.OnMembers {
  private final RestoreRun run;

  ReachMembers(RestoreRun run) {
    this.run = run;
  }

  @Override
  public String title() {
    return "Reach every etcd member host";
  }

  @Override
  protected Void runOn(Host host, ClusterContext context) {
    context.connection(host).run("test -f \"$SLIPWAY_ROOT\"/etc/slipway/agent.yaml || "
        + "{ echo \"no /etc/slipway/agent.yaml: run slipway up first\" >&2; exit 1; }").orThrow();
    run.agent(host, context);
    return null;
  }
}
