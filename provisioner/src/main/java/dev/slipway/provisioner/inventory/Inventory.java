package dev.slipway.provisioner.inventory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A validated inventory with every default applied (see {@link InventoryReader}). Runtime facts
 * about hosts live elsewhere; this is only what the file says.
 *
 * @param podEvictionTimeout how long the controller manager leaves the pods of an unreachable node
 *                           before evicting them ({@code spec.controllerManager.podEvictionTimeout})
 */
public record Inventory(Path file, String name, Provider provider, List<Host> hosts, Network network,
                        List<String> apiServerExtraSans, Duration podEvictionTimeout, EtcdSpec etcd, PkiSpec pki,
                        RuntimeKind runtime) {

  public Inventory {
    hosts = List.copyOf(hosts);
    apiServerExtraSans = List.copyOf(apiServerExtraSans);
  }

  public List<Host> hostsWith(Role role) {
    return hosts.stream().filter(h -> h.has(role)).toList();
  }

  public Optional<Host> host(String hostName) {
    return hosts.stream().filter(h -> h.name().equals(hostName)).findFirst();
  }
}
