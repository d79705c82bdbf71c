package dev.slipway.provisioner.cluster;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code state.json}: what Slipway applied to the cluster, so that the next run changes only what
 * differs. Never a copy of the inventory: it records digests, etcd members and the cluster token.
 *
 * @param etcdToken the etcd {@code initial-cluster-token}; a restore makes a new one
 * @param hosts     per host name, the sha256 of every file shipped to it (host path to hex digest)
 * @param etcd      the etcd members as they were configured, in inventory order
 * @param podCidrs  per node name, the pod range carved for it from {@code spec.network.podCIDR}; kept so it never moves
 */
public record ClusterState(String cluster, String etcdToken, Map<String, HostState> hosts, List<EtcdMember> etcd,
                           Instant updated, Map<String, String> podCidrs) {

  static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  public ClusterState {
    hosts = Map.copyOf(hosts == null ? Map.of() : hosts);
    etcd = List.copyOf(etcd == null ? List.of() : etcd);
    podCidrs = Map.copyOf(podCidrs == null ? Map.of() : podCidrs);
  }

  /** The files of one host as last shipped. */
  public record HostState(Map<String, String> digests) {
    public HostState {
      digests = Map.copyOf(digests == null ? Map.of() : digests);
    }
  }

  /**
   * One etcd member as its agent.yaml describes it.
   *
   * @param id      etcd's member ID in hex, once the member has been seen running; empty before
   * @param initialCluster the {@code name=https://addr:2380,...} list the member was started with
   * @param initialClusterState {@code new} for members that founded the cluster, {@code existing} for those added later
   */
  public record EtcdMember(String name, String address, String id, String dataDirName, String initialCluster,
                           String initialClusterState) {
    public EtcdMember {
      id = id == null ? "" : id;
    }

    public EtcdMember withId(String newId) {
      return new EtcdMember(name, address, newId, dataDirName, initialCluster, initialClusterState);
    }
  }

  public static ClusterState empty(String cluster, String etcdToken) {
    return new ClusterState(cluster, etcdToken, Map.of(), List.of(), Instant.now(), Map.of());
  }

  public Optional<EtcdMember> member(String name) {
    return etcd.stream().filter(m -> m.name().equals(name)).findFirst();
  }

  public Optional<HostState> host(String name) {
    return Optional.ofNullable(hosts.get(name));
  }

  public ClusterState withHost(String name, HostState state) {
    var copy = new LinkedHashMap<>(hosts);
    copy.put(name, state);
    return new ClusterState(cluster, etcdToken, copy, etcd, Instant.now(), podCidrs);
  }

  public ClusterState withEtcd(List<EtcdMember> members) {
    return new ClusterState(cluster, etcdToken, hosts, members, Instant.now(), podCidrs);
  }

  public ClusterState withEtcdToken(String token) {
    return new ClusterState(cluster, token, hosts, etcd, Instant.now(), podCidrs);
  }

  public ClusterState withPodCidrs(Map<String, String> ranges) {
    return new ClusterState(cluster, etcdToken, hosts, etcd, Instant.now(), ranges);
  }
}
