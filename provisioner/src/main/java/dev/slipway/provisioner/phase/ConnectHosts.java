package dev.slipway.provisioner.phase;

import dev.slipway.provisioner.inventory.Host;

/** Opens the one connection per host that every later phase reuses, and proves it with a command. */
public final class ConnectHosts extends PerHostPhase<Void> {
  @Override
  public String title() {
    return "Connect to hosts";
  }

  @Override
  protected Void runOn(Host host, ClusterContext context) {
    context.connection(host).run("true").orThrow();
    return null;
  }
}
