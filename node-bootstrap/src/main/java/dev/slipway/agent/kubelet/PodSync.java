package dev.slipway.agent.kubelet;

import dev.slipway.agent.runtime.ContainerState;
import dev.slipway.agent.runtime.ContainerStatus;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The kubelet's decision for a live pod (not being deleted): from its spec and what the runtime
 * holds, which sandbox and containers to create, start or kill now, and when to look again
 * (a container waiting out its back-off). Pure: the pod worker carries the actions out.
 */
public final class PodSync {

  /** The actions to take now, and the soonest time a waiting container may start. */
  public record Plan(List<SyncAction> actions, Optional<Instant> recheckAt) {
    public Plan {
      actions = List.copyOf(actions);
    }

    static Plan nothing() {
      return new Plan(List.of(), Optional.empty());
    }
  }

  private PodSync() {}

  /**
   * @param unhealthy ids of running containers whose liveness or startup probe has failed past its threshold
   */
  public static Plan plan(Pod pod, ObservedPod observed, Set<String> unhealthy, Instant now) {
    String policy = restartPolicy(pod);
    if (observed.sandbox().isEmpty() || !observed.sandbox().get().ready()) {
      if (observed.sandbox().isPresent() && finished(pod, observed, policy)) {
        return Plan.nothing();
      }
      int attempt = observed.sandbox().map(s -> s.attempt() + 1).orElse(0);
      return new Plan(List.of(new SyncAction.CreateSandbox(attempt)), Optional.empty());
    }
    List<SyncAction> actions = new ArrayList<>();
    Optional<Instant> recheck = Optional.empty();
    for (Container init : orEmpty(pod.getSpec().getInitContainers())) {
      Optional<ContainerStatus> status = observed.latest(init.getName());
      if (status.isEmpty()) {
        return new Plan(List.of(new SyncAction.StartContainer(init, true, 0)), Optional.empty());
      }
      ContainerStatus last = status.get();
      switch (last.state()) {
        case ContainerState.Exited exited when exited.exitCode() == 0 -> {
          continue;
        }
        case ContainerState.Running running -> {
          if (unhealthy.contains(last.id())) {
            return new Plan(List.of(new SyncAction.KillContainer(last.id(), init.getName(), "probe failed")), Optional.empty());
          }
          return Plan.nothing();
        }
        default -> {
          // An init container that failed blocks the pod; it is retried unless the policy is Never.
          if ("Never".equals(policy)) {
            return Plan.nothing();
          }
          Instant readyAt = nextStart(last);
          return readyAt.isAfter(now) ? new Plan(List.of(), Optional.of(readyAt))
              : new Plan(List.of(new SyncAction.StartContainer(init, true, last.attempt() + 1)), Optional.empty());
        }
      }
    }
    for (Container container : orEmpty(pod.getSpec().getContainers())) {
      Optional<ContainerStatus> status = observed.latest(container.getName());
      if (status.isEmpty()) {
        actions.add(new SyncAction.StartContainer(container, false, 0));
        continue;
      }
      ContainerStatus last = status.get();
      switch (last.state()) {
        case ContainerState.Running running -> {
          if (unhealthy.contains(last.id())) {
            actions.add(new SyncAction.KillContainer(last.id(), container.getName(), "probe failed"));
          }
        }
        case ContainerState.Exited exited -> {
          if (restarts(policy, exited.exitCode())) {
            Instant readyAt = nextStart(last);
            if (readyAt.isAfter(now)) {
              recheck = earliest(recheck, readyAt);
            } else {
              actions.add(new SyncAction.StartContainer(container, false, last.attempt() + 1));
            }
          }
        }
        case ContainerState.Created created -> actions.add(new SyncAction.StartContainer(container, false, last.attempt() + 1));
        case ContainerState.Unknown unknown -> {
          if (!"Never".equals(policy)) {
            actions.add(new SyncAction.StartContainer(container, false, last.attempt() + 1));
          }
        }
      }
    }
    return new Plan(actions, recheck);
  }

  static boolean restarts(String policy, int exitCode) {
    return switch (policy) {
      case "Never" -> false;
      case "OnFailure" -> exitCode != 0;
      default -> true;
    };
  }

  /** The pod has run to its end: every container exited and none will restart. */
  static boolean finished(Pod pod, ObservedPod observed, String policy) {
    List<Container> containers = orEmpty(pod.getSpec().getContainers());
    return !containers.isEmpty() && containers.stream().allMatch(c -> observed.latest(c.getName())
        .map(s -> s.state() instanceof ContainerState.Exited e && !restarts(policy, e.exitCode())).orElse(false));
  }

  static Instant nextStart(ContainerStatus status) {
    return switch (status.state()) {
      case ContainerState.Exited e -> CrashLoopBackoff.nextStart(status.attempt(), e.startedAt(), e.finishedAt());
      default -> status.createdAt().plus(CrashLoopBackoff.delay(status.attempt() + 1));
    };
  }

  static String restartPolicy(Pod pod) {
    String policy = pod.getSpec().getRestartPolicy();
    return policy == null || policy.isEmpty() ? "Always" : policy;
  }

  private static Optional<Instant> earliest(Optional<Instant> current, Instant candidate) {
    return current.isEmpty() || candidate.isBefore(current.get()) ? Optional.of(candidate) : current;
  }

  static <T> List<T> orEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }

  /** How long until {@code at}, never negative. */
  static Duration until(Instant now, Instant at) {
    Duration d = Duration.between(now, at);
    return d.isNegative() ? Duration.ZERO : d;
  }
}
