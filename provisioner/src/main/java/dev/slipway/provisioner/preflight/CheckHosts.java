package dev.slipway.provisioner.preflight;

import dev.slipway.provisioner.phase.ClusterContext;
import dev.slipway.provisioner.phase.Phase;
import dev.slipway.provisioner.phase.PhaseFailed;
import java.util.ArrayList;
import java.util.Optional;

/** Holds every host's facts against the thresholds, shows the table, fails when any check fails. */
public final class CheckHosts implements Phase {
  private volatile PreflightReport report;

  @Override
  public String title() {
    return "Check hosts";
  }

  @Override
  public void run(ClusterContext context) {
    var hosts = new ArrayList<PreflightReport.HostReport>();
    for (var host : context.inventory().hosts()) {
      var facts = context.facts(host)
          .orElseThrow(() -> new IllegalStateException("no facts gathered for host " + host.name()));
      hosts.add(new PreflightReport.HostReport(host, facts, PreflightChecks.check(host, facts)));
    }
    report = new PreflightReport(hosts);
    context.progress().show(report.table());
    var failed = hosts.stream().filter(h -> !h.passed())
        .map(h -> new PhaseFailed.HostFailure(h.host().name(), h.checks().stream().filter(c -> !c.passed())
            .map(c -> c.check() + ": " + c.detail()).reduce((a, b) -> a + "; " + b).orElse("")))
        .toList();
    if (!failed.isEmpty()) {
      throw new PhaseFailed(hosts.size(), failed);
    }
  }

  /** The report, once the phase ran. */
  public Optional<PreflightReport> report() {
    return Optional.ofNullable(report);
  }
}
