package dev.slipway.agent.kubelet;

import dev.slipway.agent.runtime.ContainerState;
import dev.slipway.agent.runtime.ContainerStatus;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIPBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The status the kubelet writes for a pod, computed from its spec, what the runtime holds and the
 * probes' results. Pure; transition times are carried over from the previous status while a
 * condition keeps its value, so an unchanged pod computes an equal status.
 */
public final class PodStatuses {

  /** What the probes say about a running container. */
  public interface ProbeView {
    boolean ready(String containerId);

    boolean started(String containerId);
  }

  private PodStatuses() {}

  public static PodStatus compute(Pod pod, ObservedPod observed, ProbeView probes, String hostIp, Instant now) {
    PodStatus previous = pod.getStatus() == null ? new PodStatus() : pod.getStatus();
    String policy = PodSync.restartPolicy(pod);
    List<Container> inits = PodSync.orEmpty(pod.getSpec().getInitContainers());
    List<Container> containers = PodSync.orEmpty(pod.getSpec().getContainers());
    boolean initialized = inits.stream().allMatch(c -> observed.latest(c.getName())
        .map(s -> s.state() instanceof ContainerState.Exited e && e.exitCode() == 0).orElse(false));
    List<io.fabric8.kubernetes.api.model.ContainerStatus> initStatuses = new ArrayList<>();
    for (Container init : inits) {
      initStatuses.add(containerStatus(init, observed, probes, "PodInitializing", policy, now));
    }
    List<io.fabric8.kubernetes.api.model.ContainerStatus> statuses = new ArrayList<>();
    for (Container container : containers) {
      statuses.add(containerStatus(container, observed, probes, initialized ? "ContainerCreating" : "PodInitializing", policy, now));
    }
    String phase = phase(pod, observed, policy, initialized);
    boolean containersReady = !statuses.isEmpty() && statuses.stream().allMatch(s -> Boolean.TRUE.equals(s.getReady()));
    String stamp = stamp(now);
    List<PodCondition> conditions = List.of(
        condition("PodReadyToStartContainers", observed.sandbox().map(s -> s.ready()).orElse(false), previous, stamp),
        condition("Initialized", initialized, previous, stamp),
        condition("Ready", containersReady, previous, stamp),
        condition("ContainersReady", containersReady, previous, stamp),
        condition("PodScheduled", true, previous, stamp));
    PodStatusBuilder status = new PodStatusBuilder()
        .withPhase(phase)
        .withConditions(conditions)
        .withHostIP(hostIp)
        .withHostIPs(new io.fabric8.kubernetes.api.model.HostIPBuilder().withIp(hostIp).build())
        .withStartTime(previous.getStartTime() != null ? previous.getStartTime()
            : stamp(observed.sandbox().map(s -> s.createdAt()).orElse(now)))
        .withInitContainerStatuses(initStatuses)
        .withContainerStatuses(statuses)
        .withQosClass(previous.getQosClass() == null ? "BestEffort" : previous.getQosClass());
    observed.sandbox().flatMap(s -> s.ip()).ifPresent(ip -> status.withPodIP(ip).withPodIPs(new PodIPBuilder().withIp(ip).build()));
    return status.build();
  }

  static String phase(Pod pod, ObservedPod observed, String policy, boolean initialized) {
    List<Container> containers = PodSync.orEmpty(pod.getSpec().getContainers());
    if (!initialized) {
      boolean initFailed = "Never".equals(policy) && PodSync.orEmpty(pod.getSpec().getInitContainers()).stream()
          .anyMatch(c -> observed.latest(c.getName()).map(s -> s.state() instanceof ContainerState.Exited e && e.exitCode() != 0).orElse(false));
      return initFailed ? "Failed" : "Pending";
    }
    int running = 0;
    int succeeded = 0;
    int failed = 0;
    int waiting = 0;
    for (Container container : containers) {
      Optional<ContainerStatus> latest = observed.latest(container.getName());
      switch (latest.map(ContainerStatus::state).orElse(null)) {
        case ContainerState.Running r -> running++;
        case ContainerState.Exited e when e.exitCode() == 0 -> succeeded++;
        case ContainerState.Exited e -> failed++;
        case null, default -> waiting++;
      }
    }
    if (waiting > 0) {
      return running > 0 ? "Running" : "Pending";
    }
    if (running > 0) {
      return "Running";
    }
    // Every container has exited: whether the pod is over depends on the restart policy.
    return switch (policy) {
      case "Always" -> "Running";
      case "OnFailure" -> failed > 0 ? "Running" : "Succeeded";
      default -> failed > 0 ? "Failed" : "Succeeded";
    };
  }

  private static io.fabric8.kubernetes.api.model.ContainerStatus containerStatus(Container container, ObservedPod observed, ProbeView probes,
      String waitingReason, String policy, Instant now) {
    Optional<ContainerStatus> latest = observed.latest(container.getName());
    ContainerStatusBuilder status = new ContainerStatusBuilder().withName(container.getName()).withImage(container.getImage())
        .withImageID("").withRestartCount(latest.map(ContainerStatus::attempt).orElse(0));
    if (latest.isEmpty()) {
      return status.withReady(false).withStarted(false)
          .withState(new ContainerStateBuilder().withNewWaiting().withReason(waitingReason).endWaiting().build()).build();
    }
    ContainerStatus last = latest.get();
    status.withContainerID("slipway://" + last.id()).withImageID(last.image());
    boolean running = last.state() instanceof ContainerState.Running;
    status.withReady(running && probes.ready(last.id())).withStarted(running && probes.started(last.id()));
    boolean backingOff = last.state() instanceof ContainerState.Exited e && PodSync.restarts(policy, e.exitCode())
        && PodSync.nextStart(last).isAfter(now);
    if (backingOff) {
      status.withState(new ContainerStateBuilder().withNewWaiting().withReason("CrashLoopBackOff")
          .withMessage("back-off " + CrashLoopBackoff.delay(last.attempt() + 1).toSeconds() + "s restarting failed container="
              + container.getName()).endWaiting().build());
      status.withLastState(state(last.state()));
    } else {
      status.withState(state(last.state()));
      observed.previous(container.getName()).ifPresent(prev -> status.withLastState(state(prev.state())));
    }
    return status.build();
  }

  static io.fabric8.kubernetes.api.model.ContainerState state(ContainerState state) {
    return switch (state) {
      case ContainerState.Running r -> new ContainerStateBuilder().withNewRunning().withStartedAt(stamp(r.startedAt())).endRunning().build();
      case ContainerState.Exited e -> new ContainerStateBuilder().withNewTerminated().withExitCode(e.exitCode())
          .withReason(e.reason().isEmpty() ? (e.exitCode() == 0 ? "Completed" : "Error") : e.reason())
          .withStartedAt(e.startedAt() == null ? null : stamp(e.startedAt())).withFinishedAt(stamp(e.finishedAt())).endTerminated().build();
      case ContainerState.Created c -> new ContainerStateBuilder().withNewWaiting().withReason("ContainerCreating").endWaiting().build();
      case ContainerState.Unknown u -> new ContainerStateBuilder().withNewTerminated().withExitCode(137).withReason("ContainerStatusUnknown")
          .withMessage(u.reason()).endTerminated().build();
    };
  }

  private static PodCondition condition(String type, boolean value, PodStatus previous, String now) {
    String status = value ? "True" : "False";
    String transition = PodSync.orEmpty(previous.getConditions()).stream()
        .filter(c -> type.equals(c.getType()) && status.equals(c.getStatus()))
        .map(PodCondition::getLastTransitionTime).filter(Objects::nonNull).findFirst().orElse(now);
    return new PodConditionBuilder().withType(type).withStatus(status).withLastTransitionTime(transition).build();
  }

  static String stamp(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
