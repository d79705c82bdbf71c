package dev.slipway.provisioner.cli;

import dev.slipway.provisioner.cluster.ClusterPki;
import dev.slipway.provisioner.etcd.ClusterRestore;
import dev.slipway.provisioner.etcd.SnapshotCatalog;
import dev.slipway.provisioner.etcd.SnapshotSave;
import dev.slipway.provisioner.inventory.InventoryReader;
import dev.slipway.provisioner.phase.ClusterContext;
import dev.slipway.provisioner.phase.HostConnector;
import dev.slipway.provisioner.phase.PhaseRunner;
import dev.slipway.provisioner.phase.Progress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code slipway etcd}: snapshots and restore of the cluster's etcd. */
@Command(name = "etcd", description = "Snapshot and restore the cluster's etcd.", mixinStandardHelpOptions = true,
    subcommands = {EtcdCommand.Snapshot.class, EtcdCommand.Restore.class})
final class EtcdCommand extends CommandGroup {
  @ParentCommand
  SlipwayCommand root;


  /** {@code slipway etcd snapshot save|list}. */
  @Command(name = "snapshot", description = "Take and list etcd snapshots.", mixinStandardHelpOptions = true,
      subcommands = {Save.class, ListSnapshots.class})
  static final class Snapshot extends CommandGroup {
    @ParentCommand
    EtcdCommand parent;

  }

  @Command(name = "save", mixinStandardHelpOptions = true,
      description = "Stream a snapshot from a healthy member over TLS to this machine, with a .json sidecar (sha256, size, revision, members).")
  static final class Save implements Callable<Integer> {
    @ParentCommand
    Snapshot parent;

    @Mixin
    InventoryOption inventory;

    @Mixin
    ClusterDirOption clusterDir;

    @Option(names = {"-o", "--out"}, paramLabel = "PATH",
        description = "A folder to save into, or a file name ending in .db (default: the cluster directory's snapshots/).")
    Path output;

    @Override
    public Integer call() {
      var root = parent.parent.root;
      var inv = InventoryReader.read(inventory.file).inventory();
      var saved = SnapshotSave.save(inv, clusterDir.open(inv), ClusterPki.catalogue(inv), Optional.ofNullable(output),
          line -> { if (!root.json()) { root.out().println(line); root.out().flush(); } });
      if (root.json()) {
        var doc = new LinkedHashMap<String, Object>();
        doc.put("file", saved.file().toString());
        doc.put("member", saved.member());
        doc.put("sha256", saved.metadata().sha256());
        doc.put("size", saved.metadata().size());
        doc.put("revision", saved.metadata().revision());
        root.out().println(Json.write(doc));
      } else {
        root.out().println("saved " + saved.file() + " (" + saved.metadata().size() + " bytes, revision "
            + saved.metadata().revision() + ", sha256 " + saved.metadata().sha256() + ")");
      }
      root.out().flush();
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "List the snapshots on this machine and those the agents took on each etcd member.")
  static final class ListSnapshots implements Callable<Integer> {
    @ParentCommand
    Snapshot parent;

    @Mixin
    InventoryOption inventory;

    @Mixin
    ClusterDirOption clusterDir;

    HostConnector connector = new TransportConnector();

    @Override
    public Integer call() throws InterruptedException {
      var root = parent.parent.root;
      var inv = InventoryReader.read(inventory.file).inventory();
      var places = SnapshotCatalog.list(inv, clusterDir.open(inv), connector);
      root.out().print(root.json() ? Json.write(places) + "\n" : SnapshotCatalog.table(places));
      root.out().flush();
      return places.stream().allMatch(p -> p.error().isEmpty()) ? 0 : SlipwayCommand.FAILED;
    }
  }

  @Command(name = "restore", mixinStandardHelpOptions = true,
      description = {"Restore every etcd member from a snapshot: checks the snapshot and that every member host answers",
          "before anything is stopped; then stops the agents, restores each member (old data set aside, new cluster token),",
          "starts them and checks health and revision."})
  static final class Restore implements Callable<Integer> {
    @ParentCommand
    EtcdCommand parent;

    @Mixin
    InventoryOption inventory;

    @Mixin
    ClusterDirOption clusterDir;

    @Option(names = "--snapshot", required = true, paramLabel = "PATH", description = "The snapshot .db file; its .json sidecar must be beside it.")
    Path snapshot;

    @Option(names = "--etcd-timeout", paramLabel = "SECONDS", defaultValue = "180",
        description = "How long to wait for the restored members to be healthy (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    HostConnector connector = new TransportConnector();

    @Override
    public Integer call() {
      var root = parent.root;
      var inv = InventoryReader.read(inventory.file).inventory();
      Progress progress = root.progress();
      var dir = clusterDir.open(inv);
      var restore = new ClusterRestore(dir, ClusterPki.catalogue(inv), snapshot, inv.name(), Duration.ofSeconds(timeoutSeconds));
      try (var context = new ClusterContext(inv, dir.root(), progress, connector, false)) {
        return new PhaseRunner().run(restore.phases(), context).succeeded() ? 0 : SlipwayCommand.FAILED;
      }
    }
  }
}
