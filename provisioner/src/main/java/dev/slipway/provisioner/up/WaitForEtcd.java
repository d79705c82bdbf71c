package dev.slipway.provisioner.up;

import dev.slipway.provisioner.etcd.EtcdCluster;
import dev.slipway.provisioner.etcd.EtcdEndpoints;
import dev.slipway.provisioner.inventory.Host;
import dev.slipway.provisioner.inventory.Role;
import dev.slipway.provisioner.phase.ClusterContext;
import dev.slipway.provisioner.phase.MayBeSkipped;
import dev.slipway.provisioner.phase.Phase;
import dev.slipway.provisioner.phase.PhaseFailed;
import dev.slipway.provisioner.phase.Progress;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Waits, bounded, until every etcd member answers a quorum read over mutual TLS with the cluster
 * directory's client certificate, then records the members' IDs in {@code state.json}.
 */
public final class WaitForEtcd implements Phase, MayBeSkipped {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(3);
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);
  private final UpRun run;
  private final Duration timeout;

  WaitForEtcd(UpRun run, Duration timeout) {
    this.run = run;
    this.timeout = timeout;
  }

  @Override
  public String title() {
    return "Wait for etcd quorum and health";
  }

  @Override
  public boolean shouldRun(ClusterContext context) {
    return !context.inventory().hostsWith(Role.ETCD).isEmpty();
  }

  @Override
  public void run(ClusterContext context) throws InterruptedException {
    var members = context.inventory().hostsWith(Role.ETCD);
    try (var cluster = EtcdCluster.connect(EtcdEndpoints.access(run.dir(), run.catalogue(), members))) {
      awaitHealthy(cluster, members, timeout, context.progress());
      var live = cluster.members();
      run.updateState(state -> state.withEtcd(state.etcd().stream().map(m -> live.stream()
          .filter(l -> l.peerUrls().stream().anyMatch(u -> u.toString().equals(PlanEtcdMembers.peerUrl(m))))
          .findFirst().map(l -> m.withId(l.hexId())).orElse(m)).toList()));
      run.saveState();
      context.progress().note("etcd: " + members.size() + " of " + members.size() + " members healthy, revision "
          + cluster.revision());
    }
  }

  /** Polls each member until all answer, or fails after {@code timeout} naming each member that did not and why. */
  public static void awaitHealthy(EtcdCluster cluster, List<Host> members, Duration timeout, Progress progress)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long nextReport = System.nanoTime() + PROGRESS_EVERY.toNanos();
    while (true) {
      var health = members.stream().map(h -> cluster.health(h, PROBE_TIMEOUT)).toList();
      var sick = health.stream().filter(h -> !h.healthy()).toList();
      if (sick.isEmpty()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new PhaseFailed("etcd is not healthy after " + timeout.toSeconds() + "s: " + sick.stream()
            .map(h -> h.host() + " (" + h.endpoint() + "): " + h.error()).collect(Collectors.joining("; "))
            + ". See /var/log/slipway/etcd.log and agent.log on those hosts.");
      }
      if (System.nanoTime() > nextReport) {
        progress.note("waiting for etcd: " + (health.size() - sick.size()) + " of " + health.size() + " healthy; not yet "
            + sick.stream().map(EtcdCluster.Health::host).collect(Collectors.joining(", ")));
        nextReport = System.nanoTime() + PROGRESS_EVERY.toNanos();
      }
      Thread.sleep(500);
    }
  }
}
