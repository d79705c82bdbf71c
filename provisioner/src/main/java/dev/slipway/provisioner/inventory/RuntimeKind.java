package dev.slipway.provisioner.inventory;

/** The container runtime behind the agent's kubelet. */
public enum RuntimeKind {
  CONTAINERD, PROCESS
}
