package dev.slipway.provisioner.up;

import dev.slipway.provisioner.cluster.ClusterState;
import dev.slipway.provisioner.etcd.EtcdCluster;
import dev.slipway.provisioner.etcd.EtcdEndpoints;
import dev.slipway.provisioner.inventory.Host;
import dev.slipway.provisioner.inventory.Role;
import dev.slipway.provisioner.phase.ClusterContext;
import dev.slipway.provisioner.phase.MayBeSkipped;
import dev.slipway.provisioner.phase.Phase;
import dev.slipway.provisioner.phase.PhaseFailed;
import dev.slipway.provisioner.transport.FileAttributes;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Brings the running etcd cluster's membership to the inventory's: each host newly given the etcd
 * role is added ({@code MemberAdd}), started with {@code initial-cluster-state existing} and waited
 * for before the next one; then each member no longer in the inventory is removed, unless the
 * members that would remain could not keep a quorum. Skipped for a cluster that is still forming.
 */
final class ChangeEtcdMembership implements Phase, MayBeSkipped {
  private static final Duration JOIN_TIMEOUT = Duration.ofMinutes(2);
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);
  private final UpRun run;

  ChangeEtcdMembership(UpRun run) {
    this.run = run;
  }

  @Override
  public String title() {
    return "Change etcd membership";
  }

  @Override
  public boolean shouldRun(ClusterContext context) {
    var state = run.state();
    boolean running = state.etcd().stream().anyMatch(m -> !m.id().isEmpty());
    var desired = context.inventory().hostsWith(Role.ETCD).stream().map(Host::name).toList();
    boolean joining = state.etcd().stream().anyMatch(m -> m.id().isEmpty() && m.initialClusterState().equals("existing"));
    boolean leaving = state.etcd().stream().anyMatch(m -> !desired.contains(m.name()));
    return running && (joining || leaving);
  }

  @Override
  public void run(ClusterContext context) throws InterruptedException {
    var inventory = context.inventory();
    var desired = inventory.hostsWith(Role.ETCD);
    var endpoints = run.state().etcd().stream().filter(m -> !m.id().isEmpty())
        .map(m -> URI.create(PlanEtcdMembers.peerUrl(m).replace(":" + EtcdEndpoints.PEER_PORT, ":" + EtcdEndpoints.CLIENT_PORT)))
        .toList();
    var access = EtcdEndpoints.access(run.dir(), run.catalogue(), desired);
    try (var cluster = EtcdCluster.connect(new dev.slipway.agent.snapshot.EtcdAccess(endpoints, access.caCert(),
        access.clientCert(), access.clientKey()))) {
      for (var host : desired) {
        if (cluster.memberWithPeer(EtcdEndpoints.peerUrl(host)).isEmpty()) {
          join(host, cluster, context);
        }
      }
      for (var member : run.state().etcd()) {
        if (desired.stream().noneMatch(h -> h.name().equals(member.name()))) {
          leave(member, cluster, context);
        }
      }
    }
  }

  private void join(Host host, EtcdCluster cluster, ClusterContext context) throws InterruptedException {
    long id = addWhenReady(cluster, host);
    // The joiner must name exactly the members the cluster now has, itself included.
    var names = run.state().etcd().stream().collect(Collectors.toMap(PlanEtcdMembers::peerUrl, ClusterState.EtcdMember::name));
    var initial = cluster.members().stream().map(m -> {
      var peer = m.peerUrls().getFirst().toString();
      var name = m.id() == id ? host.name() : m.name().isEmpty() ? names.getOrDefault(peer, m.hexId()) : m.name();
      return name + "=" + peer;
    }).collect(Collectors.joining(","));
    run.updateState(state -> state.withEtcd(state.etcd().stream().map(m -> m.name().equals(host.name())
        ? new ClusterState.EtcdMember(m.name(), m.address(), Long.toHexString(id), m.dataDirName(), initial, "existing")
        : m).toList()));
    run.saveState();
    var yaml = UpRun.agentYaml(run.agentConfig(host));
    context.connection(host).upload(new ByteArrayInputStream(yaml), ShipConfig.CONFIG_PATH, FileAttributes.secretFile());
    run.changed(host, "joined etcd as member " + Long.toHexString(id));
    var agent = AgentControl.of(host, context);
    if (agent.status().agentRunning()) {
      agent.restart();
    } else {
      agent.start();
    }
    run.changed(host, "started the agent");
    WaitForEtcd.awaitHealthy(cluster, List.of(host), JOIN_TIMEOUT, context.progress());
    context.progress().note("etcd member " + host.name() + " joined");
  }

  /** etcd refuses a new member until the last one has been connected for a few seconds ("unhealthy cluster"). */
  private static long addWhenReady(EtcdCluster cluster, Host host) throws InterruptedException {
    long deadline = System.nanoTime() + JOIN_TIMEOUT.toNanos();
    while (true) {
      try {
        return cluster.addMember(EtcdEndpoints.peerUrl(host));
      } catch (IllegalStateException e) {
        if (!String.valueOf(e.getMessage()).contains("unhealthy cluster") || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(1000);
      }
    }
  }

  private void leave(ClusterState.EtcdMember member, EtcdCluster cluster, ClusterContext context) {
    var live = cluster.members();
    var leaving = live.stream().filter(m -> m.peerUrls().stream().anyMatch(u -> u.toString().equals(PlanEtcdMembers.peerUrl(member))))
        .findFirst();
    if (leaving.isEmpty()) {
      forget(member);
      return;
    }
    var remaining = live.stream().filter(m -> m.id() != leaving.get().id()).toList();
    requireQuorumWithout(member.name(), remaining, cluster, context);
    int others = remaining.size();
    cluster.removeMember(leaving.get().id());
    forget(member);
    context.progress().note("etcd member " + member.name() + " removed; " + others + " members remain");
    context.inventory().host(member.name()).ifPresent(h -> run.changed(h, "left etcd"));
  }

  /**
   * Before anything is shipped: refuses a plan whose removals would leave members that cannot keep a
   * quorum, checking each removal in turn against the members that would remain after it.
   */
  static void checkRemovals(UpRun run, ClusterContext context) {
    var desired = context.inventory().hostsWith(Role.ETCD);
    var leavers = run.state().etcd().stream().filter(m -> desired.stream().noneMatch(h -> h.name().equals(m.name()))).toList();
    if (leavers.isEmpty() || run.state().etcd().stream().allMatch(m -> m.id().isEmpty())) {
      return;
    }
    try (var cluster = EtcdCluster.connect(EtcdEndpoints.access(run.dir(), run.catalogue(), desired))) {
      var remaining = new ArrayList<>(cluster.members());
      for (var leaver : leavers) {
        remaining.removeIf(m -> m.peerUrls().stream().anyMatch(u -> u.toString().equals(PlanEtcdMembers.peerUrl(leaver))));
        requireQuorumWithout(leaver.name(), remaining, cluster, context);
      }
    }
  }

  private static void requireQuorumWithout(String leaving, List<EtcdCluster.Member> remaining, EtcdCluster cluster,
                                           ClusterContext context) {
    long healthy = remaining.stream()
        .map(m -> context.inventory().hosts().stream().filter(h -> m.peerUrls().contains(EtcdEndpoints.peerUrl(h))).findFirst())
        .filter(h -> h.isPresent() && cluster.health(h.get(), PROBE_TIMEOUT).healthy()).count();
    int quorum = remaining.size() / 2 + 1;
    if (healthy < quorum) {
      throw new PhaseFailed("refusing to remove etcd member " + leaving + ": of the " + remaining.size()
          + " members that would remain only " + healthy + " are healthy, and they need " + quorum
          + " for a quorum. Bring the unhealthy members back first (slipway up), then run again; nothing was changed.");
    }
  }

  private void forget(ClusterState.EtcdMember member) {
    run.updateState(state -> state.withEtcd(state.etcd().stream().filter(m -> !m.name().equals(member.name())).toList()));
    run.saveState();
  }
}
