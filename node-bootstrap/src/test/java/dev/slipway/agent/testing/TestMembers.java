package dev.slipway.agent.testing;

import dev.slipway.agent.config.AgentConfig;
import dev.slipway.agent.config.AgentPaths;
import dev.slipway.agent.config.EtcdMemberConfig;
import dev.slipway.agent.config.EtcdTlsFiles;
import dev.slipway.agent.config.HostIdentity;
import dev.slipway.agent.config.InitialClusterState;
import dev.slipway.agent.config.NodeRole;
import dev.slipway.agent.config.SnapshotSchedule;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** Agent configurations for etcd members on loopback addresses, each under its own root, with the real /usr/bin/etcd. */
public final class TestMembers {

  public static final Path ETCD = Path.of("/usr/bin/etcd");

  private TestMembers() {}

  /** One config per address: members m1, m2, ... forming one cluster; certificates installed from {@code pki}. */
  public static List<AgentConfig> cluster(Path base, TestPki pki, String cluster, SnapshotSchedule snapshots, String... addresses) {
    List<String> names = new ArrayList<>();
    List<URI> clientUrls = new ArrayList<>();
    List<URI> peerUrls = new ArrayList<>();
    for (int i = 0; i < addresses.length; i++) {
      names.add("m" + (i + 1));
      clientUrls.add(URI.create("https://" + addresses[i] + ":" + FreePorts.on(addresses[i])));
      peerUrls.add(URI.create("https://" + addresses[i] + ":" + FreePorts.on(addresses[i])));
    }
    String initialCluster = java.util.stream.IntStream.range(0, addresses.length)
        .mapToObj(i -> names.get(i) + "=" + peerUrls.get(i))
        .collect(Collectors.joining(","));
    List<AgentConfig> configs = new ArrayList<>();
    for (int i = 0; i < addresses.length; i++) {
      Path root = base.resolve(names.get(i));
      AgentPaths paths = new AgentPaths(root);
      EtcdTlsFiles tls = pki.installMember(paths, names.get(i), addresses[i]);
      EtcdMemberConfig member = new EtcdMemberConfig(names.get(i), names.get(i), clientUrls.get(i), peerUrls.get(i),
          initialCluster, InitialClusterState.NEW, cluster + "-etcd", ETCD, tls);
      configs.add(new AgentConfig(cluster, new HostIdentity(names.get(i), addresses[i], List.of(NodeRole.MASTER, NodeRole.ETCD)),
          root, Optional.of(member), snapshots));
    }
    return configs;
  }
}
