package dev.slipway.provisioner.up;

import dev.slipway.provisioner.inventory.Host;
import dev.slipway.provisioner.inventory.Role;
import dev.slipway.provisioner.phase.ClusterContext;
import dev.slipway.provisioner.phase.Phase;
import dev.slipway.provisioner.phase.PhaseFailed;

/**
 * What the nodes need before their configuration is written: the Secret encryption key and the
 * bootstrap token (made once in the cluster directory), and one pod range per node, carved in host
 * order and recorded in state.json so that it never moves.
 */
final class PlanNodes implements Phase {
  static final String TITLE = "Plan nodes: pod ranges, bootstrap token, Secret encryption key";
  private final UpRun run;

  PlanNodes(UpRun run) {
    this.run = run;
  }

  @Override
  public String title() {
    return TITLE;
  }

  @Override
  public void run(ClusterContext context) {
    var inventory = run.inventory();
    if (!inventory.hostsWith(Role.MASTER).isEmpty() && ClusterSecrets.ensureEncryptionKeys(run.dir())) {
      context.progress().note("made the Secret encryption key " + ClusterSecrets.encryptionKeyFile(run.dir()) + " (keep it with the PKI)");
    }
    ClusterSecrets.bootstrapToken(run.dir());
    var nodes = inventory.hosts().stream().filter(NodeSections::runsKubelet).map(Host::name).toList();
    try {
      var ranges = PodRanges.carve(inventory.network().podCidr(), nodes, run.state().podCidrs());
      run.updateState(s -> s.withPodCidrs(ranges));
    } catch (IllegalArgumentException e) {
      throw new PhaseFailed(inventory.file() + ": " + e.getMessage());
    }
  }
}
