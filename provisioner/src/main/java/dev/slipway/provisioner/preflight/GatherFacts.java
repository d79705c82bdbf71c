package dev.slipway.provisioner.preflight;

import dev.slipway.provisioner.facts.FactsScript;
import dev.slipway.provisioner.facts.HostFacts;
import dev.slipway.provisioner.inventory.Host;
import dev.slipway.provisioner.phase.ClusterContext;
import dev.slipway.provisioner.phase.PerHostPhase;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** Runs the facts script on every host and records the facts beside the host. */
public final class GatherFacts extends PerHostPhase<HostFacts> {
  private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(60);

  @Override
  public String title() {
    return "Gather facts";
  }

  @Override
  protected HostFacts runOn(Host host, ClusterContext context) {
    var connection = context.connection(host);
    var facts = connection.run(FactsScript.text(),
        dev.slipway.provisioner.transport.RunOptions.defaults().withTimeout(SCRIPT_TIMEOUT)).orThrow();
    long before = epochNanos();
    var clock = connection.run(FactsScript.CLOCK_COMMAND).orThrow();
    long after = epochNanos();
    return FactsScript.parse(facts.stdout(), FactsScript.clockSkew(clock.stdout(), before, after));
  }

  @Override
  protected void succeeded(ClusterContext context, Map<Host, HostFacts> results) {
    results.forEach(context::recordFacts);
  }

  private static long epochNanos() {
    var now = Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }
}
