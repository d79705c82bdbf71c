package dev.slipway.provisioner.phase;

import dev.slipway.provisioner.inventory.Host;
import dev.slipway.provisioner.transport.HostFanout;
import dev.slipway.provisioner.transport.HostOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A phase that runs one function per host in parallel (at most {@link #parallelism()} at a time),
 * reports each host's progress, and fails when any host fails, after every host has finished.
 */
public abstract class PerHostPhase<R> implements Phase {

  /** The hosts this phase works on; every host of the inventory unless a phase narrows it. */
  protected List<Host> hosts(ClusterContext context) {
    return context.inventory().hosts();
  }

  /** The work on one host; its value is passed to {@link #succeeded}. */
  protected abstract R runOn(Host host, ClusterContext context) throws Exception;

  /** Called once with every host's value when all hosts succeeded. */
  protected void succeeded(ClusterContext context, Map<Host, R> results) throws Exception {
  }

  protected int parallelism() {
    return HostFanout.DEFAULT_PARALLELISM;
  }

  @Override
  public final void run(ClusterContext context) throws Exception {
    var hosts = hosts(context);
    var progress = context.progress();
    var fanout = new HostFanout(parallelism(), new HostFanout.Listener() {
      @Override
      public void started(String host) {
        progress.hostStarted(title(), host);
      }

      @Override
      public void finished(HostOutcome<?> outcome) {
        switch (outcome) {
          case HostOutcome.Succeeded<?> ok -> progress.hostSucceeded(title(), ok.host(), ok.elapsed());
          case HostOutcome.Failed<?> failed -> progress.hostFailed(title(), failed.host(), failed.elapsed(),
              PhaseRunner.reason(failed.error()));
        }
      }
    });
    var outcomes = fanout.run(hosts, Host::name, host -> runOn(host, context));
    var results = new LinkedHashMap<Host, R>();
    var failures = new ArrayList<PhaseFailed.HostFailure>();
    for (int i = 0; i < hosts.size(); i++) {
      switch (outcomes.get(i)) {
        case HostOutcome.Succeeded<R> ok -> results.put(hosts.get(i), ok.value());
        case HostOutcome.Failed<R> failed ->
            failures.add(new PhaseFailed.HostFailure(failed.host(), PhaseRunner.reason(failed.error())));
      }
    }
    if (!failures.isEmpty()) {
      throw new PhaseFailed(hosts.size(), failures);
    }
    succeeded(context, results);
  }

  static String seconds(Duration elapsed) {
    return String.format(Locale.ROOT, "%.1fs", elapsed.toMillis() / 1000.0);
  }
}
