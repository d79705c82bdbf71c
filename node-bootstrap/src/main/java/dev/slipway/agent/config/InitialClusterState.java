package dev.slipway.agent.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/** etcd's {@code --initial-cluster-state}: bootstrap a new cluster or join an existing one. */
public enum InitialClusterState {
  @JsonProperty("new") NEW("new"),
  @JsonProperty("existing") EXISTING("existing");

  private final String flag;

  InitialClusterState(String flag) {
    this.flag = flag;
  }

  public String flag() {
    return flag;
  }
}
