package dev.slipway.provisioner.phase;

import java.util.List;
import java.util.stream.Collectors;

/** A phase could not finish; per-host phases list each failed host with its reason. */
public final class PhaseFailed extends RuntimeException {
  /** One host's failure in a per-host phase. */
  public record HostFailure(String host, String reason) {}

  private final transient List<HostFailure> hostFailures;

  public PhaseFailed(String message) {
    super(message);
    this.hostFailures = List.of();
  }

  public PhaseFailed(int hostCount, List<HostFailure> hostFailures) {
    super("failed on " + hostFailures.size() + " of " + hostCount + (hostCount == 1 ? " host: " : " hosts: ")
        + hostFailures.stream().map(HostFailure::host).collect(Collectors.joining(", ")));
    this.hostFailures = List.copyOf(hostFailures);
  }

  public List<HostFailure> hostFailures() {
    return hostFailures;
  }
}
