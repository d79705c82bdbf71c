package dev.slipway.provisioner.inventory;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** One machine of the cluster as the inventory describes it, defaults applied. */
public record Host(String name, String address, Set<Role> roles, Map<String, String> labels,
                   List<Taint> taints, HostAccess access) {

  public Host {
    roles = Set.copyOf(roles);
    labels = Map.copyOf(labels);
    taints = List.copyOf(taints);
  }

  public boolean has(Role role) {
    return roles.contains(role);
  }
}
