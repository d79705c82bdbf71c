package dev.slipway.provisioner.cli;

import dev.slipway.provisioner.cluster.ClusterPki;
import dev.slipway.provisioner.inventory.InventoryReader;
import dev.slipway.provisioner.phase.ClusterContext;
import dev.slipway.provisioner.phase.HostConnector;
import dev.slipway.provisioner.phase.PhaseRunner;
import dev.slipway.provisioner.phase.Progress;
import dev.slipway.provisioner.phase.RunResult;
import dev.slipway.provisioner.up.NodeBundle;
import dev.slipway.provisioner.up.Up;
import dev.slipway.provisioner.up.UpRun;
import dev.slipway.provisioner.up.UpSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
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

  @Option(names = "--nodes-timeout", paramLabel = "SECONDS", defaultValue = "300",
      description = "How long to wait for every master and worker to be a Ready Node (default: ${DEFAULT-VALUE}).")
  long nodesTimeoutSeconds;

  @Option(names = "--sample-app",
      description = "Once the nodes are Ready, deploy templates/sample-app.yaml (two busybox httpd replicas and a Service) and wait for it.")
  boolean sampleApp;

  /** Tests replace the transports; the command line uses SSH and local folders. */
  HostConnector connector = new TransportConnector();

  @Override
  public Integer call() {
    var checked = InventoryReader.read(inventory.file);
    var inv = checked.inventory();
    Progress progress = root.progress();
    checked.notes().forEach(progress::note);
    var dir = clusterDir.open(inv);
    var run = new UpRun(inv, dir, ClusterPki.catalogue(inv), NodeBundle.locate(inv));
    RunResult result;
    try (var context = new ClusterContext(inv, dir.root(), progress, connector, false)) {
      var defaults = Up.Timeouts.standard();
      var timeouts = new Up.Timeouts(Duration.ofSeconds(etcdTimeoutSeconds), defaults.apiServers(), Duration.ofSeconds(nodesTimeoutSeconds),
          defaults.sampleApp());
      result = new PhaseRunner().run(new Up(run, timeouts, sampleApp ? Optional.of(Up.sampleAppManifest()) : Optional.empty()).phases(),
          context);
    } finally {
      run.saveState();
    }
    var summary = UpSummary.of(run);
    if (root.json()) {
      var doc = new LinkedHashMap<String, Object>();
      doc.put("cluster", inv.name());
      doc.put("succeeded", result.succeeded());
      doc.put("clusterDir", dir.root().toString());
      if (Files.isRegularFile(dir.adminKubeconfig())) {
        doc.put("kubeconfig", dir.adminKubeconfig().toString());
      }
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
        if (Files.isRegularFile(dir.adminKubeconfig())) {
          progress.show(kubectlHint(dir.adminKubeconfig(), sampleApp));
        }
      }
    }
    return result.succeeded() ? 0 : SlipwayCommand.FAILED;
  }

  private String kubectlHint(Path kubeconfig, boolean withSampleApp) {
    var hint = new StringBuilder("\nUse kubectl with the admin kubeconfig (or `slipway kubeconfig -i " + inventory.file + "`):\n"
        + "  export KUBECONFIG=" + kubeconfig + "\n"
        + "  kubectl get nodes\n");
    if (withSampleApp) {
      hint.append("  kubectl get deployment,service hello\n  kubectl get pods -l app=hello -o wide\n");
    }
    return hint.toString();
  }
}
