package dev.slipway.agent.kubelet;

import java.time.Duration;
import java.time.Instant;

/**
 * Whether the kubelet's pod watch counts as working, for the node's Ready condition. A watch that
 * is reconnecting (the API server ended it, or its master lost power and the client moved to another)
 * is down for a second or two; reporting the Node NotReady for that would make it flap, and the
 * scheduler would pass it over. So the watch counts as failed only once it has been seen down, without
 * being seen up in between, for longer than {@link #GRACE}.
 */
final class PodWatchHealth {

  /** As long as the kubelet's own check gives a hung watch before starting it afresh. */
  static final Duration GRACE = Kubelet.WATCH_CHECK_PERIOD;

  private Instant downSince;

  /** Records what the watch is doing {@code now} and answers whether it counts as working. */
  synchronized boolean working(boolean watching, Instant now) {
    if (watching) {
      downSince = null;
      return true;
    }
    if (downSince == null) {
      downSince = now;
    }
    return !now.isAfter(downSince.plus(GRACE));
  }
}
