package dev.slipway.provisioner.cli;

import dev.slipway.provisioner.inventory.InventoryReader;
import dev.slipway.provisioner.phase.ClusterContext;
import dev.slipway.provisioner.phase.HostConnector;
import dev.slipway.provisioner.phase.PhaseRunner;
import dev.slipway.provisioner.phase.Progress;
import dev.slipway.provisioner.phase.RunResult;
import dev.slipway.provisioner.preflight.Preflight;
import dev.slipway.provisioner.preflight.PreflightReport;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code slipway preflight -i FILE}: reach every host, gather facts, check them. */
@Command(name = "preflight", mixinStandardHelpOptions = true,
    description = {"Connect to every host, gather its facts and check that it can join the cluster.",
        "Exit code 0 when every check passes, 1 when one fails, 2 for a bad inventory."})
final class PreflightCommand implements Callable<Integer> {
  @ParentCommand
  SlipwayCommand root;

  @Mixin
  InventoryOption inventory;

  @Option(names = "--cluster-dir", paramLabel = "DIR",
      description = "The cluster's directory (default: ~/.slipway/clusters/<name>/).")
  Path clusterDir;

  /** Tests replace the transports; the command line uses SSH and local folders. */
  HostConnector connector = new TransportConnector();

  @Override
  public Integer call() {
    var checked = InventoryReader.read(inventory.file);
    var inv = checked.inventory();
    Progress progress = root.progress();
    checked.notes().forEach(progress::note);
    var preflight = new Preflight();
    var dir = clusterDir != null ? clusterDir : ClusterContext.defaultClusterDir(inv);
    RunResult result;
    try (var context = new ClusterContext(inv, dir, progress, connector, false)) {
      result = new PhaseRunner().run(preflight.phases(), context);
    }
    if (root.json()) {
      root.out().println(Json.write(document(inv.name(), result, preflight.check().report().orElse(null))));
      root.out().flush();
    }
    return result.succeeded() ? 0 : SlipwayCommand.FAILED;
  }

  private static Map<String, Object> document(String cluster, RunResult result, PreflightReport report) {
    var doc = new LinkedHashMap<String, Object>();
    doc.put("cluster", cluster);
    doc.put("passed", result.succeeded());
    if (result instanceof RunResult.Stopped stopped) {
      doc.put("stoppedAt", stopped.phase());
      doc.put("error", stopped.error().getMessage());
      if (stopped.error() instanceof dev.slipway.provisioner.phase.PhaseFailed failed) {
        doc.put("hostErrors", failed.hostFailures().stream()
            .map(f -> Map.of("host", f.host(), "error", f.reason())).toList());
      }
    }
    doc.put("hosts", report == null ? List.of() : report.hosts().stream().map(PreflightCommand::host).toList());
    return doc;
  }

  private static Map<String, Object> host(PreflightReport.HostReport report) {
    var facts = report.facts();
    var host = new LinkedHashMap<String, Object>();
    host.put("name", report.host().name());
    host.put("address", report.host().address());
    host.put("passed", report.passed());
    var f = new LinkedHashMap<String, Object>();
    f.put("os", facts.os());
    f.put("osId", facts.osId());
    f.put("arch", facts.arch());
    f.put("kernel", facts.kernel());
    f.put("cpus", facts.cpus());
    f.put("memoryBytes", facts.memoryBytes());
    f.put("freeDiskBytes", facts.freeDiskBytes());
    f.put("initSystem", facts.initSystem().word());
    f.put("clockSkewSeconds", facts.clockSkew().toNanos() / 1e9);
    f.put("slipwayRunning", facts.slipwayRunning());
    f.put("listening", facts.listening().stream().map(s -> s.address() + ":" + s.port()).toList());
    f.put("java", facts.javaRuntimes().stream().map(j -> Map.of("path", j.path(), "version", j.featureVersion())).toList());
    host.put("facts", f);
    host.put("checks", report.checks().stream().map(c -> {
      var check = new LinkedHashMap<String, Object>();
      check.put("name", c.check());
      check.put("passed", c.passed());
      check.put("detail", c.detail());
      if (!c.passed()) {
        check.put("remedy", c.remedy());
      }
      return check;
    }).toList());
    return host;
  }
}
