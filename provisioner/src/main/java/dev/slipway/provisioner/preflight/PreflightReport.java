package dev.slipway.provisioner.preflight;

import dev.slipway.provisioner.facts.HostFacts;
import dev.slipway.provisioner.inventory.Host;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Every host's facts and check verdicts; renders the preflight table and advice. */
public record PreflightReport(List<HostReport> hosts) {

  public record HostReport(Host host, HostFacts facts, List<HostCheck> checks) {
    public boolean passed() {
      return checks.stream().allMatch(HostCheck::passed);
    }
  }

  public PreflightReport {
    hosts = List.copyOf(hosts);
  }

  public boolean passed() {
    return hosts.stream().allMatch(HostReport::passed);
  }

  /** One row per host, then for each failed check what to do. */
  public String table() {
    var header = new ArrayList<>(List.of("HOST", "ADDRESS", "OS", "ARCH", "CPU", "MEM"));
    header.addAll(PreflightChecks.NAMES);
    var rows = new ArrayList<List<String>>();
    rows.add(header);
    for (var report : hosts) {
      var row = new ArrayList<>(List.of(report.host().name(), report.host().address(), report.facts().os(),
          report.facts().arch(), String.valueOf(report.facts().cpus()), PreflightChecks.gib(report.facts().memoryBytes())));
      report.checks().forEach(c -> row.add(c.passed() ? "OK" : "FAIL"));
      rows.add(row);
    }
    var widths = new int[header.size()];
    rows.forEach(r -> {
      for (int i = 0; i < r.size(); i++) {
        widths[i] = Math.max(widths[i], r.get(i).length());
      }
    });
    var text = new StringBuilder();
    for (var row : rows) {
      var line = new StringBuilder();
      for (int i = 0; i < row.size(); i++) {
        line.append(i == row.size() - 1 ? row.get(i) : String.format(Locale.ROOT, "%-" + (widths[i] + 2) + "s", row.get(i)));
      }
      text.append(line.toString().stripTrailing()).append('\n');
    }
    for (var report : hosts) {
      for (var check : report.checks()) {
        if (!check.passed()) {
          text.append(String.format(Locale.ROOT, "%n%s %s: %s%n  -> %s", report.host().name(), check.check(),
              check.detail(), check.remedy()));
        }
      }
    }
    if (!passed()) {
      text.append('\n');
    }
    return text.toString();
  }
}
