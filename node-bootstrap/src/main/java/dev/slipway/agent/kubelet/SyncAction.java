package dev.slipway.agent.kubelet;

import io.fabric8.kubernetes.api.model.Container;

/** One step that brings a pod's containers towards its spec; {@link PodSync} decides them, the pod worker carries them out. */
public sealed interface SyncAction {

  /** Make a new sandbox for the pod (its first, or after the old one was lost). */
  record CreateSandbox(int attempt) implements SyncAction {}

  /** Create and start a container as restart number {@code attempt}. */
  record StartContainer(Container container, boolean init, int attempt) implements SyncAction {}

  /** Stop a running container (it is then restarted by its restart policy). */
  record KillContainer(String containerId, String name, String reason) implements SyncAction {}
}
