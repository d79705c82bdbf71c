package dev.slipway.agent.runtime;

import java.nio.file.Path;
import java.time.Instant;

/** A container as the runtime reports it; {@code attempt} is the restart count the kubelet gave it. */
public record ContainerStatus(
    String id,
    String sandboxId,
    String name,
    int attempt,
    String image,
    ContainerState state,
    Instant createdAt,
    Path logPath) {

  public boolean running() {
    return state instanceof ContainerState.Running;
  }
}
