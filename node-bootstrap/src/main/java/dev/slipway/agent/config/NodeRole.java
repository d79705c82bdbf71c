package dev.slipway.agent.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What a machine does in the cluster, as the inventory names it. */
public enum NodeRole {
  @JsonProperty("master") MASTER,
  @JsonProperty("etcd") ETCD,
  @JsonProperty("worker") WORKER
}
