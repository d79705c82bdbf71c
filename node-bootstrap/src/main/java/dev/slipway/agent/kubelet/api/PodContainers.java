package dev.slipway.agent.kubelet.api;

import dev.slipway.agent.kubelet.Kubelet;
import dev.slipway.agent.runtime.ContainerStatus;
import dev.slipway.agent.runtime.SandboxStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Finds a pod's container in the runtime from the names in a kubelet API path. */
final class PodContainers {

  private PodContainers() {}

  /** Attempts of the named container, newest first. */
  static List<ContainerStatus> attempts(Kubelet kubelet, String namespace, String podName, String container) {
    Optional<Pod> pod = kubelet.pod(namespace, podName);
    if (pod.isEmpty()) {
      return List.of();
    }
    String uid = pod.get().getMetadata().getUid();
    return kubelet.runtime().podSandboxes(uid).stream()
        .sorted(Comparator.comparingInt(SandboxStatus::attempt).reversed())
        .flatMap(s -> kubelet.runtime().listContainers(s.id()).stream())
        .filter(c -> c.name().equals(container))
        .sorted(Comparator.comparingInt(ContainerStatus::attempt).reversed())
        .toList();
  }

  /** {@code /<prefix>/<ns>/<pod>/<container>} split into its three names, if it has them. */
  static Optional<String[]> names(String path, String prefix) {
    String rest = path.substring(prefix.length());
    String[] parts = rest.split("/");
    return parts.length == 3 && !parts[0].isEmpty() && !parts[1].isEmpty() && !parts[2].isEmpty() ? Optional.of(parts) : Optional.empty();
  }
}
