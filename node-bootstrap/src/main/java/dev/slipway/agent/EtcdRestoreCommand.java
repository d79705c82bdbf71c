package dev.slipway.agent;

import dev.slipway.agent.etcd.EtcdRestore;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code etcd-restore}: restore this member from a snapshot while the agent is stopped. */
@Command(name = "etcd-restore", description = "Restore this host's etcd member from a snapshot (the agent must be stopped).")
final class EtcdRestoreCommand implements Callable<Integer> {

  @Mixin RootOption root;

  @Option(names = "--snapshot", required = true, paramLabel = "FILE", description = "Snapshot .db file; its .json sidecar holds the sha256 unless --sha256 is given.")
  Path snapshot;

  @Option(names = "--sha256", paramLabel = "HEX", description = "Expected sha256 of the snapshot (instead of the sidecar's).")
  String sha256;

  @Option(names = "--name", required = true, description = "This member's name in the restored cluster.")
  String name;

  @Option(names = "--initial-cluster", required = true, paramLabel = "NAME=URL,...", description = "Every member of the restored cluster: name=https://address:2380,...")
  String initialCluster;

  @Option(names = "--token", required = true, description = "A new initial-cluster token for the restored cluster.")
  String token;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    EtcdRestore.Check check = sha256 == null ? new EtcdRestore.Check.Sidecar() : new EtcdRestore.Check.Digest(sha256);
    EtcdRestore.Restored restored = new EtcdRestore(root.paths())
        .restore(new EtcdRestore.Request(snapshot.toAbsolutePath(), check, name, initialCluster, token));
    spec.commandLine().getOut().println("restored into " + restored.dataDir()
        + restored.setAside().map(p -> "; previous data kept at " + p).orElse(""));
    return 0;
  }
}
