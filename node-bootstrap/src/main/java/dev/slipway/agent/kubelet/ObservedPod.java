package dev.slipway.agent.kubelet;

import dev.slipway.agent.runtime.ContainerStatus;
import dev.slipway.agent.runtime.SandboxStatus;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** What the runtime holds for one pod: its newest sandbox and the containers in it, every attempt. */
public record ObservedPod(Optional<SandboxStatus> sandbox, List<ContainerStatus> containers) {

  public static final ObservedPod NOTHING = new ObservedPod(Optional.empty(), List.of());

  public ObservedPod {
    containers = List.copyOf(containers);
  }

  /** The newest attempt of a container, if it ever ran in this sandbox. */
  public Optional<ContainerStatus> latest(String name) {
    return containers.stream().filter(c -> c.name().equals(name)).max(Comparator.comparingInt(ContainerStatus::attempt));
  }

  /** The attempt before the newest, for {@code lastState} and {@code previous} logs. */
  public Optional<ContainerStatus> previous(String name) {
    return latest(name).flatMap(last -> containers.stream().filter(c -> c.name().equals(name) && c.attempt() < last.attempt())
        .max(Comparator.comparingInt(ContainerStatus::attempt)));
  }
}
