package dev.slipway.provisioner.etcd;

import dev.slipway.agent.config.AgentConfig;
import dev.slipway.provisioner.cluster.ClusterState;
import dev.slipway.provisioner.inventory.Host;
import dev.slipway.provisioner.inventory.Role;
import dev.slipway.provisioner.phase.ClusterContext;
import dev.slipway.provisioner.transport.FileAttributes;
import dev.slipway.provisioner.transport.RunOptions;
import dev.slipway.provisioner.up.ShellWords;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;

/**
 * Uploads the snapshot to each member and runs the agent's {@code etcd-restore} there: a fresh data
 * dir from the snapshot with the new cluster token, the old data set aside (never deleted), and
 * agent.yaml pointed at the new data. Records each member's new settings for {@code state.json}.
 */
final class RestoreMembers extends RestoreRun.OnMembers {
  private final RestoreRun run;

  RestoreMembers(RestoreRun run) {
    this.run = run;
  }

  @Override
  public String title() {
    return "Restore each member from the snapshot";
  }

  @Override
  protected Void runOn(Host host, ClusterContext context) throws IOException {
    var transport = context.connection(host);
    transport.upload(run.snapshot, run.hostSnapshotPath(), FileAttributes.secretFile());
    var initialCluster = EtcdEndpoints.initialCluster(context.inventory().hostsWith(Role.ETCD));
    var command = "\"$SLIPWAY_ROOT\"/opt/slipway/bin/slipway-agent etcd-restore --root \"${SLIPWAY_ROOT:-/}\""
        + " --snapshot \"$SLIPWAY_ROOT\"" + ShellWords.quote(run.hostSnapshotPath())
        + " --sha256 " + run.verified.metadata().sha256()
        + " --name " + ShellWords.quote(host.name())
        + " --initial-cluster " + ShellWords.quote(initialCluster)
        + " --token " + ShellWords.quote(run.token)
        + " && rm -f \"$SLIPWAY_ROOT\"" + ShellWords.quote(run.hostSnapshotPath());
    transport.run(command, RunOptions.defaults().withTimeout(Duration.ofMinutes(10))).orThrow();
    var yaml = new ByteArrayOutputStream();
    transport.download("/etc/slipway/agent.yaml", yaml);
    var member = readMember(yaml.toByteArray(), host);
    run.restored.put(host.name(), member);
    return null;
  }

  private static ClusterState.EtcdMember readMember(byte[] yaml, Host host) {
    try {
      var temp = Files.createTempFile("slipway-agent", ".yaml");
      try {
        Files.write(temp, yaml);
        var etcd = AgentConfig.read(temp).etcd().orElseThrow(() ->
            new IllegalStateException(host.name() + ": agent.yaml has no etcd section after the restore"));
        return new ClusterState.EtcdMember(etcd.name(), host.address(), "", etcd.dataDirName(), etcd.initialCluster(),
            etcd.initialClusterState().flag());
      } finally {
        Files.deleteIfExists(temp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
