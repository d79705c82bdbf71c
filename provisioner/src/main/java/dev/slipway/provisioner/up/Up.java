package dev.slipway.provisioner.up;

import dev.slipway.provisioner.phase.ConnectHosts;
import dev.slipway.provisioner.phase.Phase;
import dev.slipway.provisioner.preflight.CheckHosts;
import dev.slipway.provisioner.preflight.GatherFacts;
import java.time.Duration;
import java.util.List;

/** The flow of {@code slipway up}, in order: one readable list of phases. */
public final class Up {
  private final UpRun run;
  private final Duration etcdTimeout;

  public Up(UpRun run, Duration etcdTimeout) {
    this.run = run;
    this.etcdTimeout = etcdTimeout;
  }

  public List<Phase> phases() {
    return List.of(
        new ConnectHosts(),
        new GatherFacts(),
        new CheckHosts(),
        new EnsurePki(run),
        new PlanEtcdMembers(run),
        new ShipBundle(run),
        new ShipConfig(run),
        new ChangeEtcdMembership(run),
        StartAgents.onEtcdMembers(run),
        new WaitForEtcd(run, etcdTimeout),
        StartAgents.onOtherHosts(run));
  }

  public UpRun run() {
    return run;
  }
}
