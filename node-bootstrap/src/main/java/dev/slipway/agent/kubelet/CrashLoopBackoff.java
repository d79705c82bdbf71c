package dev.slipway.agent.kubelet;

import dev.slipway.controlplane.Backoff;
import java.time.Duration;
import java.time.Instant;

/**
 * When an exited container may start again: 10 s after it ended for the first restart, doubling
 * with each restart up to 5 min. A container that had run for 10 min before it ended starts the
 * ladder again. Derived from the runtime's record alone, so it survives an agent restart.
 */
public final class CrashLoopBackoff {

  public static final Duration INITIAL = Duration.ofSeconds(10);
  public static final Duration MAX = Duration.ofMinutes(5);
  static final Duration RESET_AFTER = MAX.multipliedBy(2);
  private static final Backoff LADDER = new Backoff(INITIAL, MAX);

  private CrashLoopBackoff() {}

  /** The delay before restart number {@code restart} (1 for the first restart). */
  public static Duration delay(int restart) {
    return LADDER.delay(restart);
  }

  /** When the container that ran from {@code started} to {@code finished} as restart {@code restartsSoFar} may start again. */
  public static Instant nextStart(int restartsSoFar, Instant started, Instant finished) {
    boolean ranLong = started != null && Duration.between(started, finished).compareTo(RESET_AFTER) >= 0;
    return finished.plus(ranLong ? INITIAL : delay(restartsSoFar + 1));
  }
}
