package dev.slipway.provisioner.up;

import dev.slipway.pki.PkiReport;
import dev.slipway.provisioner.phase.ClusterContext;
import dev.slipway.provisioner.phase.Phase;
import dev.slipway.provisioner.phase.PhaseFailed;

/**
 * Load, verify, else create every certificate of the catalogue in the cluster directory's
 * {@code pki/}. A certificate that fails a check stops the run, naming it and why; nothing is replaced.
 */
final class EnsurePki implements Phase {
  private final UpRun run;

  EnsurePki(UpRun run) {
    this.run = run;
  }

  @Override
  public String title() {
    return "Issue or reuse certificates";
  }

  @Override
  public void run(ClusterContext context) {
    var report = run.dir().pkiDirectory().ensure(run.catalogue());
    if (!report.ok()) {
      throw new PhaseFailed("certificates in " + run.dir().pki() + " failed their checks (nothing was replaced):\n"
          + report.describeProblems());
    }
    long created = report.outcomes().stream().filter(o -> o instanceof PkiReport.Created).count();
    long reused = report.outcomes().size() - created;
    context.progress().note("certificates in " + run.dir().pki() + ": " + created + " created, " + reused + " reused");
  }
}
