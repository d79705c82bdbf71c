package dev.slipway.provisioner.up;

import dev.slipway.provisioner.phase.ConnectHosts;
import dev.slipway.provisioner.phase.Phase;
import dev.slipway.provisioner.preflight.CheckHosts;
import dev.slipway.provisioner.preflight.GatherFacts;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The flow of {@code slipway up}, in order: one readable list of phases. */
public final class Up {
  private final UpRun run;
  private final Timeouts timeouts;
  private final Optional<Path> sampleApp;

  /** How long each wait may take: etcd health, API servers ready, Nodes Ready, the sample app available. */
  public record Timeouts(Duration etcd, Duration apiServers, Duration nodes, Duration sampleApp) {
    public static Timeouts standard() {
      return new Timeouts(WaitForEtcd.DEFAULT_TIMEOUT, Duration.ofMinutes(3), Duration.ofMinutes(5), Duration.ofMinutes(3));
    }
  }

  /** @param sampleApp a manifest to apply once the nodes are Ready ({@code --sample-app}) */
  public Up(UpRun run, Timeouts timeouts, Optional<Path> sampleApp) {
    this.run = run;
    this.timeouts = timeouts;
    this.sampleApp = sampleApp;
  }

  public List<Phase> phases() {
    var phases = new ArrayList<>(List.of(
        new ConnectHosts(),
        new GatherFacts(),
        new CheckHosts(),
        new EnsurePki(run),
        new PlanEtcdMembers(run),
        new PlanNodes(run),
        new ShipBundle(run),
        new ShipImages(run),
        new ShipConfig(run),
        new ChangeEtcdMembership(run),
        StartAgents.onEtcdMembers(run),
        new WaitForEtcd(run, timeouts.etcd()),
        new WaitForApiServers(run, timeouts.apiServers()),
        new CreateBootstrapToken(run, Clock.systemUTC()),
        StartAgents.onOtherHosts(run),
        new WaitForNodes(run, timeouts.nodes())));
    sampleApp.ifPresent(manifest -> phases.add(new ApplySampleApp(run, manifest, timeouts.sampleApp())));
    return List.copyOf(phases);
  }

  /** The sample app that {@code up --sample-app} applies: {@code templates/sample-app.yaml} of the Slipway home. */
  public static Path sampleAppManifest() {
    return ApplySampleApp.standardManifest();
  }

  public UpRun run() {
    return run;
  }
}
