package dev.slipway.agent.etcd;

import java.time.Duration;

/**
 * How long to wait before restarting a process that exited: doubling from {@code initial} up to
 * {@code max}, and back to {@code initial} once a run lasted {@code resetAfter}.
 */
record RestartBackoff(Duration initial, Duration max, Duration resetAfter) {

  static final RestartBackoff ETCD = new RestartBackoff(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(60));

  /** The delay before the next start, given the previous delay (null before any restart) and how long the last run lasted. */
  Duration next(Duration previous, Duration uptime) {
    if (previous == null || uptime.compareTo(resetAfter) >= 0) {
      return initial;
    }
    Duration doubled = previous.multipliedBy(2);
    return doubled.compareTo(max) > 0 ? max : doubled;
  }
}
