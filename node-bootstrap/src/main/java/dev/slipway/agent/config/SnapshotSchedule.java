package dev.slipway.agent.config;

import java.time.Duration;

/** How often an etcd member snapshots itself and how many snapshots it keeps. */
public record SnapshotSchedule(Duration interval, int keep) {

  public static final SnapshotSchedule DEFAULT = new SnapshotSchedule(Duration.ofHours(6), 10);

  public SnapshotSchedule {
    ConfigChecks.required(interval, "snapshots.interval");
    if (interval.isNegative() || interval.isZero()) {
      throw new InvalidAgentConfigException("snapshots.interval must be positive, got " + GoDuration.format(interval));
    }
    if (keep < 1) {
      throw new InvalidAgentConfigException("snapshots.keep must be at least 1, got " + keep);
    }
  }
}
