package dev.slipway.agent.kubelet;

import dev.slipway.agent.runtime.ContainerState;
import dev.slipway.agent.runtime.ContainerStatus;
import dev.slipway.agent.runtime.SandboxStatus;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Pods and what a runtime reports about them, for the kubelet's pure decisions; times count from {@link #NOW}. */
final class PodExamples {

  static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  static final String SANDBOX = "sandbox-1";

  private PodExamples() {}

  static Pod pod(String restartPolicy, List<String> initContainers, List<String> containers) {
    return new PodBuilder().withNewMetadata().withName("web").withNamespace("default").withUid("uid-1").endMetadata()
        .withNewSpec().withRestartPolicy(restartPolicy)
        .withInitContainers(initContainers.stream().map(PodExamples::container).toList())
        .withContainers(containers.stream().map(PodExamples::container).toList())
        .endSpec().build();
  }

  static Pod pod(String restartPolicy) {
    return pod(restartPolicy, List.of(), List.of("main"));
  }

  private static Container container(String name) {
    return new ContainerBuilder().withName(name).withImage("slipway.dev/busybox:1").build();
  }

  static SandboxStatus sandbox(boolean ready, int attempt) {
    return new SandboxStatus(SANDBOX, "web", "default", "uid-1", attempt, ready ? SandboxStatus.State.READY : SandboxStatus.State.NOT_READY,
        NOW.minusSeconds(3600), "10.244.1.5", Map.of());
  }

  static ObservedPod observed(ContainerStatus... containers) {
    return new ObservedPod(Optional.of(sandbox(true, 0)), List.of(containers));
  }

  static ContainerStatus running(String name, int attempt) {
    return status(name, attempt, new ContainerState.Running(NOW.minusSeconds(120)));
  }

  /** A container that ran for {@code ranSeconds} and ended {@code secondsAgo} before now. */
  static ContainerStatus exited(String name, int attempt, int exitCode, long ranSeconds, long secondsAgo) {
    Instant finished = NOW.minusSeconds(secondsAgo);
    return status(name, attempt, new ContainerState.Exited(finished.minusSeconds(ranSeconds), finished, exitCode, ""));
  }

  static ContainerStatus status(String name, int attempt, ContainerState state) {
    return new ContainerStatus(name + "-" + attempt, SANDBOX, name, attempt, "slipway.dev/busybox:1", state, NOW.minusSeconds(600),
        Path.of("/var/log/slipway/pods/default_web_uid-1", name, attempt + ".log"));
  }
}
