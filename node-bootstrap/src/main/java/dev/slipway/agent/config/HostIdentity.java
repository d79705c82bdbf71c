package dev.slipway.agent.config;

import java.util.List;

/** This machine as the inventory describes it. */
public record HostIdentity(String name, String address, List<NodeRole> roles) {

  public HostIdentity {
    ConfigChecks.required(name, "host.name");
    ConfigChecks.required(address, "host.address");
    ConfigChecks.required(roles, "host.roles");
    if (roles.isEmpty()) {
      throw new InvalidAgentConfigException("host.roles must name at least one of master, etcd, worker");
    }
    roles = List.copyOf(roles);
  }

  public boolean has(NodeRole role) {
    return roles.contains(role);
  }
}
