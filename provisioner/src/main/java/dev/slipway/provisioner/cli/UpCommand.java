package dev.slipway.provisioner.cli;

import dev.slipway.provisioner.cluster.ClusterPki;
import dev.slipway.provisioner.inventory.InventoryReader;
import dev.slipway.provisioner.phase.ClusterContext;
import dev.slipway.provisioner.phase.HostConnector;
import dev.slipway.provisioner.phase.JsonProgress;
import dev.slipway.provisioner.phase.PhaseRunner;
import dev.slipway.provisioner.phase.Progress;
import dev.slipway.provisioner.phase.RunResult;
import dev.slipway.provisioner.phase.TextProgress;
import dev.slipway.provisioner.up.NodeBundle;
import dev.slipway.provisioner.up.Up;
import dev.slipway.provisioner.up.UpRun;
import dev.slipway.provisioner.up.UpSummary;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code slipway up -i FILE}: bring the cluster to what the inventory says; re-running changes nothing. */
@Command(name = "up", mixinStandardHelpOptions = true,
    description = {"Bring the cluster to what the inventory describes: certificates, node bundle, configuration,",
        "etcd membership, agents. Re-running changes only what differs. Exit code 0 when done, 1 when a phase failed."})
final class UpCommand implements Callable<Integer> {
  @ParentCommand
  SlipwayCommand root;

  @Mixin
  InventoryOption inventory;

  @Mixin
  ClusterDirOption clusterDir;

  @Option(names = "--etcd-timeout", paramLabel = "SECONDS", defaultValue = "180",
      description = "How long to wait for every etcd member to be healthy (default: ${DEFAULT-VALUE}).")
  long etcdTimeoutSeconds;

  /** Tests replace the transports; the command line uses SSH and local folders. */
  HostConnector connector = new TransportConnector();

  @Override
  public Integer call() {
    var checked = InventoryReader.read(inventory.file);
    var inv = checked.inventory();
    Progress progress = root.json() ? new JsonProgress(root.err()) : new TextProgress(root.out(), root.verbose);
    checked.notes().forEach(progress::note);
    var dir = clusterDir.open(inv);
    var run = new UpRun(inv, dir, ClusterPki.catalogue(inv), NodeBundle.locate(inv));
    RunResult result;
    try (var context = new ClusterContext(inv, dir.root(), progress, connector, false)) {
      result = new PhaseRunner().run(new Up(run, Duration.ofSeconds(etcdTimeoutSeconds)).phases(), context);
    } finally {
      run.saveState();
    }
    var summary = UpSummary.of(run);
    if (root.json()) {
      var doc = new LinkedHashMap<String, Object>();
      doc.put("cluster", inv.name());
      doc.put("succeeded", result.succeeded());
      doc.put("clusterDir", dir.root().toString());
      doc.put("hosts", summary.document());
      if (result instanceof RunResult.Stopped stopped) {
        doc.put("stoppedAt", stopped.phase());
        doc.put("error", stopped.error().getMessage());
      }
      root.out().println(Json.write(doc));
      root.out().flush();
    } else {
      progress.show("\n" + summary.table());
      if (result.succeeded()) {
        progress.show(summary.unchanged() ? "Cluster \"" + inv.name() + "\" is unchanged."
            : "Cluster \"" + inv.name() + "\" is up. Cluster directory: " + dir.root());
      }
    }
    return result.succeeded() ? 0 : SlipwayCommand.FAILED;
  }
}
