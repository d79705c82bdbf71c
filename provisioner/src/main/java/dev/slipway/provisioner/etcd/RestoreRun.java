package dev.slipway.provisioner.etcd;

import dev.slipway.pki.CertificateCatalogue;
import dev.slipway.provisioner.cluster.ClusterDirectory;
import dev.slipway.provisioner.cluster.ClusterState;
import dev.slipway.provisioner.inventory.Host;
import dev.slipway.provisioner.inventory.Role;
import dev.slipway.provisioner.phase.ClusterContext;
import dev.slipway.provisioner.phase.PerHostPhase;
import dev.slipway.provisioner.up.AgentControl;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** What the phases of one {@code etcd restore} share: the snapshot, the new token, each member's restored settings. */
final class RestoreRun {
  private static final SecureRandom RANDOM = new SecureRandom();
  final ClusterDirectory dir;
  final CertificateCatalogue catalogue;
  final Path snapshot;
  final String token;
  volatile SnapshotFile verified;
  final Map<String, ClusterState.EtcdMember> restored = new ConcurrentHashMap<>();
  final Map<String, AgentControl> agents = new ConcurrentHashMap<>();

  RestoreRun(ClusterDirectory dir, CertificateCatalogue catalogue, Path snapshot, String cluster) {
    this.dir = dir;
    this.catalogue = catalogue;
    this.snapshot = snapshot;
    var bytes = new byte[6];
    RANDOM.nextBytes(bytes);
    this.token = cluster + "-etcd-" + HexFormat.of().formatHex(bytes);
  }

  AgentControl agent(Host host, ClusterContext context) {
    return agents.computeIfAbsent(host.name(), n -> AgentControl.detect(host, context.connection(host)));
  }

  /** The host path the snapshot is uploaded to. */
  String hostSnapshotPath() {
    return "/var/lib/slipway/restore/" + snapshot.getFileName();
  }

  /** A per-host phase over the etcd members only. */
  abstract static class OnMembers extends PerHostPhase<Void> {
    @Override
    protected List<Host> hosts(ClusterContext context) {
      return context.inventory().hostsWith(Role.ETCD);
    }
  }
}
