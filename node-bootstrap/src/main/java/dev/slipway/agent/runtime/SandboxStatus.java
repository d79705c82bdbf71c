package dev.slipway.agent.runtime;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** A sandbox as the runtime reports it; {@code podIp} is empty while the sandbox has no address. */
public record SandboxStatus(
    String id,
    String name,
    String namespace,
    String uid,
    int attempt,
    State state,
    Instant createdAt,
    String podIp,
    Map<String, String> labels) {

  public enum State { READY, NOT_READY }

  public SandboxStatus {
    labels = Map.copyOf(labels);
    podIp = podIp == null ? "" : podIp;
  }

  public Optional<String> ip() {
    return podIp.isEmpty() ? Optional.empty() : Optional.of(podIp);
  }

  public boolean ready() {
    return state == State.READY;
  }
}
