package dev.slipway.agent.kubelet;

import io.fabric8.kubernetes.api.model.Probe;

/**
 * Turns single probe outcomes into a probe's result by its thresholds: {@code failureThreshold}
 * failures in a row make it fail, {@code successThreshold} successes in a row make it pass.
 * Before the first outcome a readiness probe counts as failed and the others as passed.
 */
public final class ProbeTracker {

  public enum Kind { STARTUP, LIVENESS, READINESS }

  private final int successThreshold;
  private final int failureThreshold;
  private int successes;
  private int failures;
  private boolean passing;

  public ProbeTracker(Kind kind, Probe probe) {
    this.successThreshold = Prober.positive(probe.getSuccessThreshold(), 1);
    this.failureThreshold = Prober.positive(probe.getFailureThreshold(), 3);
    this.passing = kind != Kind.READINESS && kind != Kind.STARTUP;
  }

  /** Records an outcome; returns whether the probe passes now. */
  public synchronized boolean record(boolean success) {
    if (success) {
      failures = 0;
      successes++;
      if (successes >= successThreshold) {
        passing = true;
      }
    } else {
      successes = 0;
      failures++;
      if (failures >= failureThreshold) {
        passing = false;
      }
    }
    return passing;
  }

  public synchronized boolean passing() {
    return passing;
  }

  /** Failed past the threshold (for liveness and startup: the container must be restarted). */
  public synchronized boolean failedOut() {
    return failures >= failureThreshold;
  }
}
