package dev.slipway.provisioner.up;

import dev.slipway.provisioner.cluster.ClusterState;
import dev.slipway.provisioner.etcd.EtcdEndpoints;
import dev.slipway.provisioner.inventory.Host;
import dev.slipway.provisioner.inventory.Role;
import dev.slipway.provisioner.phase.ClusterContext;
import dev.slipway.provisioner.phase.Phase;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Decides each etcd member's agent.yaml section before anything is shipped, and records it in
 * {@code state.json} so an interrupted run is finished by the next one with the same plan:
 * a new cluster has every member start {@code new}; a member known from an earlier run keeps its
 * settings; a host newly given the etcd role joins the running cluster ({@code existing}).
 */
final class PlanEtcdMembers implements Phase {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final UpRun run;

  PlanEtcdMembers(UpRun run) {
    this.run = run;
  }

  @Override
  public String title() {
    return "Plan etcd members";
  }

  @Override
  public void run(ClusterContext context) {
    var desired = context.inventory().hostsWith(Role.ETCD);
    run.updateState(state -> plan(state, desired));
    ChangeEtcdMembership.checkRemovals(run, context);
    run.saveState();
    var joining = run.state().etcd().stream().filter(m -> m.id().isEmpty() && m.initialClusterState().equals("existing"))
        .map(ClusterState.EtcdMember::name).toList();
    if (!joining.isEmpty()) {
      context.progress().note("joining the running etcd cluster: " + String.join(", ", joining));
    }
  }

  /** The state with a token and one member entry per desired host, in inventory order. */
  static ClusterState plan(ClusterState state, List<Host> desired) {
    var token = state.etcdToken().isEmpty() ? newToken(state.cluster()) : state.etcdToken();
    boolean running = state.etcd().stream().anyMatch(m -> !m.id().isEmpty());
    var planned = new ArrayList<ClusterState.EtcdMember>();
    if (!running) {
      var initial = EtcdEndpoints.initialCluster(desired);
      for (var host : desired) {
        planned.add(new ClusterState.EtcdMember(host.name(), host.address(), "", host.name(), initial, "new"));
      }
      return state.withEtcdToken(token).withEtcd(planned);
    }
    // Joiners list every member the cluster will have when they start: the known ones, earlier joiners, themselves.
    var current = new ArrayList<String>();
    state.etcd().forEach(m -> current.add(m.name() + "=" + peerUrl(m)));
    for (var host : desired) {
      var known = state.member(host.name());
      if (known.isPresent()) {
        planned.add(known.get());
      } else {
        current.add(host.name() + "=" + EtcdEndpoints.peerUrl(host));
        planned.add(new ClusterState.EtcdMember(host.name(), host.address(), "", host.name(),
            current.stream().collect(Collectors.joining(",")), "existing"));
      }
    }
    // Members leaving stay listed until ChangeEtcdMembership removes them from the cluster.
    state.etcd().stream().filter(m -> desired.stream().noneMatch(h -> h.name().equals(m.name()))).forEach(planned::add);
    return state.withEtcdToken(token).withEtcd(planned);
  }

  static String peerUrl(ClusterState.EtcdMember member) {
    var address = member.address().contains(":") ? "[" + member.address() + "]" : member.address();
    return "https://" + address + ":" + EtcdEndpoints.PEER_PORT;
  }

  private static String newToken(String cluster) {
    var bytes = new byte[6];
    RANDOM.nextBytes(bytes);
    return cluster + "-etcd-" + HexFormat.of().formatHex(bytes);
  }
}
