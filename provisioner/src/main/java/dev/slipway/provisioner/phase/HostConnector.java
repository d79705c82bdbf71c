package dev.slipway.provisioner.phase;

import dev.slipway.provisioner.inventory.Host;
import dev.slipway.provisioner.transport.HostTransport;

/** Opens the one connection a command keeps to a host (SSH or local, by the host's access). */
@FunctionalInterface
public interface HostConnector {
  HostTransport open(Host host);
}
