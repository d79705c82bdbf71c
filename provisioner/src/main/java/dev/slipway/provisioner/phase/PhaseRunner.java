package dev.slipway.provisioner.phase;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a command's phases in order: prepare, should-run, then run (or dry-run). Stops at the
 * first phase that fails and reports which phase, why, and what did not run.
 */
public final class PhaseRunner {

  public RunResult run(List<Phase> phases, ClusterContext context) {
    var progress = context.progress();
    var completed = new ArrayList<String>();
    long start = System.nanoTime();
    for (int i = 0; i < phases.size(); i++) {
      var phase = phases.get(i);
      long phaseStart = System.nanoTime();
      try {
        if (phase instanceof Prepares prepares) {
          prepares.prepare(context);
        }
        if (phase instanceof MayBeSkipped skippable && !skippable.shouldRun(context)) {
          progress.phaseSkipped(i + 1, phases.size(), phase.title());
          completed.add(phase.title());
          continue;
        }
        progress.phaseStarted(i + 1, phases.size(), phase.title());
        if (context.dryRun() && phase instanceof SupportsDryRun dry) {
          dry.dryRun(context);
        } else {
          phase.run(context);
        }
        progress.phaseFinished(phase.title(), since(phaseStart));
        completed.add(phase.title());
      } catch (Exception e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        progress.phaseFailed(phase.title(), since(phaseStart), reason(e));
        var notRun = phases.subList(i + 1, phases.size()).stream().map(Phase::title).toList();
        var result = new RunResult.Stopped(List.copyOf(completed), phase.title(), e, notRun, since(start));
        progress.finished(result);
        return result;
      }
    }
    var result = new RunResult.Completed(List.copyOf(completed), since(start));
    progress.finished(result);
    return result;
  }

  static String reason(Exception e) {
    var message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
  }

  private static Duration since(long nanoTime) {
    return Duration.ofNanos(System.nanoTime() - nanoTime);
  }
}
