package dev.slipway.provisioner.up;

import dev.slipway.agent.config.AgentConfig;
import dev.slipway.agent.config.AgentPaths;
import dev.slipway.agent.config.EtcdMemberConfig;
import dev.slipway.agent.config.EtcdTlsFiles;
import dev.slipway.agent.config.HostIdentity;
import dev.slipway.agent.config.InitialClusterState;
import dev.slipway.agent.config.NodeRole;
import dev.slipway.agent.config.SnapshotSchedule;
import dev.slipway.pki.CertificateCatalogue;
import dev.slipway.provisioner.cluster.ClusterDirectory;
import dev.slipway.provisioner.cluster.ClusterState;
import dev.slipway.provisioner.etcd.EtcdEndpoints;
import dev.slipway.provisioner.inventory.Host;
import dev.slipway.provisioner.inventory.HostAccess;
import dev.slipway.provisioner.inventory.Inventory;
import dev.slipway.provisioner.inventory.Role;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * What the phases of one {@code up} share besides the {@code ClusterContext}: the cluster
 * directory, the catalogue, the bundle, the state (as found and as it becomes), and what changed
 * on each host in this run.
 */
public final class UpRun {
  private final Inventory inventory;
  private final ClusterDirectory dir;
  private final CertificateCatalogue catalogue;
  private final NodeBundle bundle;
  private final Optional<ClusterState> previous;
  private volatile ClusterState state;
  private final Map<String, List<String>> changes = new ConcurrentHashMap<>();

  public UpRun(Inventory inventory, ClusterDirectory dir, CertificateCatalogue catalogue, NodeBundle bundle) {
    this.inventory = inventory;
    this.dir = dir;
    this.catalogue = catalogue;
    this.bundle = bundle;
    this.previous = dir.readState();
    this.state = previous.orElseGet(() -> ClusterState.empty(inventory.name(), ""));
  }

  public Inventory inventory() {
    return inventory;
  }

  public ClusterDirectory dir() {
    return dir;
  }

  public CertificateCatalogue catalogue() {
    return catalogue;
  }

  public NodeBundle bundle() {
    return bundle;
  }

  /** The state as the last run left it; empty on the first run. */
  public Optional<ClusterState> previous() {
    return previous;
  }

  public ClusterState state() {
    return state;
  }

  public synchronized void updateState(UnaryOperator<ClusterState> change) {
    state = change.apply(state);
  }

  public void saveState() {
    dir.writeState(state);
  }

  /** Notes one change on a host ("uploaded /opt/slipway/bin/etcd", "started the agent"). */
  public void changed(Host host, String what) {
    changes.computeIfAbsent(host.name(), k -> Collections.synchronizedList(new ArrayList<>())).add(what);
  }

  public List<String> changes(Host host) {
    return List.copyOf(changes.getOrDefault(host.name(), List.of()));
  }

  /** Whether the agent's config or bundle changed on the host in this run (so a running agent restarts). */
  public boolean agentFilesChanged(Host host) {
    return changes(host).stream().anyMatch(c -> c.startsWith("wrote "));
  }

  public boolean agentStarted(Host host) {
    return changes(host).stream().anyMatch(c -> c.startsWith("started") || c.startsWith("restarted"));
  }

  public static AgentPaths paths(Host host) {
    return new AgentPaths(switch (host.access()) {
      case HostAccess.Local local -> local.rootDir();
      case HostAccess.Ssh ssh -> Path.of("/");
    });
  }

  /** The planned etcd member of a host, once {@link PlanEtcdMembers} ran. */
  public Optional<ClusterState.EtcdMember> member(Host host) {
    return state.member(host.name());
  }

  /** The host's agent.yaml as this run wants it. */
  public AgentConfig agentConfig(Host host) {
    var paths = paths(host);
    var roles = Arrays.stream(Role.values()).filter(host::has).map(r -> switch (r) {
      case MASTER -> NodeRole.MASTER;
      case ETCD -> NodeRole.ETCD;
      case WORKER -> NodeRole.WORKER;
    }).toList();
    var schedule = new SnapshotSchedule(inventory.etcd().snapshotInterval(), inventory.etcd().snapshotsKept());
    var identity = new HostIdentity(host.name(), host.address(), roles);
    if (!host.has(Role.ETCD)) {
      return NodeSections.complete(this, host, new AgentConfig(inventory.name(), identity, paths.root(), Optional.empty(), schedule));
    }
    var member = member(host).orElseThrow(() -> new IllegalStateException("no etcd member planned for " + host.name()));
    var etcd = new EtcdMemberConfig(member.name(), member.dataDirName(), EtcdEndpoints.clientUrl(host),
        EtcdEndpoints.peerUrl(host), member.initialCluster(),
        member.initialClusterState().equals("existing") ? InitialClusterState.EXISTING : InitialClusterState.NEW,
        state.etcdToken(), paths.etcdBinary(), EtcdTlsFiles.standard(paths));
    return NodeSections.complete(this, host, new AgentConfig(inventory.name(), identity, paths.root(), Optional.of(etcd), schedule));
  }

  /** agent.yaml's bytes exactly as {@link AgentConfig#write} writes them (the agent reads that format). */
  public static byte[] agentYaml(AgentConfig config) {
    try {
      var temp = Files.createTempDirectory("slipway-agent-yaml");
      try {
        var file = temp.resolve("agent.yaml");
        config.write(file);
        return Files.readAllBytes(file);
      } finally {
        try (var files = Files.list(temp)) {
          for (var f : files.toList()) {
            Files.deleteIfExists(f);
          }
        }
        Files.deleteIfExists(temp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot render agent.yaml: " + e.getMessage(), e);
    }
  }

  /** Records the digests of files now on the host. */
  public void shipped(Host host, Map<String, String> digests) {
    updateState(s -> {
      var merged = new LinkedHashMap<>(s.host(host.name()).map(ClusterState.HostState::digests).orElse(Map.of()));
      merged.putAll(digests);
      return s.withHost(host.name(), new ClusterState.HostState(merged));
    });
  }
}
