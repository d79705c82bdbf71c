package dev.slipway.provisioner.etcd;

import dev.slipway.provisioner.cluster.ClusterState;
import dev.slipway.provisioner.inventory.Role;
import dev.slipway.provisioner.phase.ClusterContext;
import dev.slipway.provisioner.phase.Phase;
import dev.slipway.provisioner.phase.PhaseFailed;
import dev.slipway.provisioner.up.WaitForEtcd;
import java.time.Duration;
import java.util.ArrayList;

/**
 * Waits until every member is healthy and checks that the cluster's revision is at least the
 * snapshot's; then records the new token and members in {@code state.json}.
 */
final class CheckRestored implements Phase {
  private final RestoreRun run;
  private final Duration timeout;

  CheckRestored(RestoreRun run, Duration timeout) {
    this.run = run;
    this.timeout = timeout;
  }

  @Override
  public String title() {
    return "Check the restored cluster";
  }

  @Override
  public void run(ClusterContext context) throws InterruptedException {
    var members = context.inventory().hostsWith(Role.ETCD);
    try (var cluster = EtcdCluster.connect(EtcdEndpoints.access(run.dir, run.catalogue, members))) {
      WaitForEtcd.awaitHealthy(cluster, members, timeout, context.progress());
      long revision = cluster.revision();
      long expected = run.verified.metadata().revision();
      if (revision < expected) {
        throw new PhaseFailed("the restored cluster is at revision " + revision + ", below the snapshot's " + expected);
      }
      var live = cluster.members();
      var recorded = new ArrayList<ClusterState.EtcdMember>();
      for (var host : members) {
        var member = run.restored.get(host.name());
        var id = live.stream().filter(m -> m.peerUrls().contains(EtcdEndpoints.peerUrl(host))).findFirst()
            .map(EtcdCluster.Member::hexId).orElse("");
        recorded.add(member.withId(id));
      }
      var state = run.dir.readState().orElseGet(() -> ClusterState.empty(context.inventory().name(), run.token));
      run.dir.writeState(state.withEtcdToken(run.token).withEtcd(recorded));
      context.progress().note("etcd restored: " + members.size() + " members healthy at revision " + revision
          + " (snapshot revision " + expected + "); old data dirs were set aside under /var/lib/slipway/etcd/");
    }
  }
}
