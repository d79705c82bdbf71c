package dev.slipway.provisioner.up;

import dev.slipway.provisioner.inventory.Host;
import dev.slipway.provisioner.inventory.Role;
import dev.slipway.provisioner.phase.ClusterContext;
import dev.slipway.provisioner.phase.PerHostPhase;
import java.util.List;

/**
 * Starts the agent where it does not run, restarts it where its config or bundle changed in this
 * run, and leaves it alone otherwise. One instance for the etcd members (started together, so a
 * new cluster can form its quorum), one for the other hosts after them.
 */
final class StartAgents extends PerHostPhase<String> {
  private final UpRun run;
  private final boolean etcdMembers;

  private StartAgents(UpRun run, boolean etcdMembers) {
    this.run = run;
    this.etcdMembers = etcdMembers;
  }

  static StartAgents onEtcdMembers(UpRun run) {
    return new StartAgents(run, true);
  }

  static StartAgents onOtherHosts(UpRun run) {
    return new StartAgents(run, false);
  }

  @Override
  public String title() {
    return etcdMembers ? "Start agents on etcd members" : "Start agents on the other hosts";
  }

  @Override
  protected List<Host> hosts(ClusterContext context) {
    return context.inventory().hosts().stream().filter(h -> h.has(Role.ETCD) == etcdMembers).toList();
  }

  @Override
  protected String runOn(Host host, ClusterContext context) {
    if (run.agentStarted(host)) {
      return "already started in this run";
    }
    var agent = AgentControl.of(host, context);
    var status = agent.status();
    if (!status.agentRunning()) {
      agent.start();
      run.changed(host, "started the agent" + (agent.systemd() ? " (systemd unit)" : " (daemon)"));
      return "started";
    }
    if (run.agentFilesChanged(host)) {
      agent.restart();
      run.changed(host, "restarted the agent");
      return "restarted";
    }
    return "running";
  }
}
