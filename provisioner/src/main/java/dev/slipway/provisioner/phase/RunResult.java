package dev.slipway.provisioner.phase;

import java.time.Duration;
import java.util.List;

/** How a list of phases ended. */
public sealed interface RunResult {
  Duration elapsed();

  /** Phases that ran (or were skipped) to the end. */
  List<String> completed();

  default boolean succeeded() {
    return this instanceof Completed;
  }

  record Completed(List<String> completed, Duration elapsed) implements RunResult {}

  /** Stopped at {@code phase}; the phases after it did not run. */
  record Stopped(List<String> completed, String phase, Exception error, List<String> notRun, Duration elapsed)
      implements RunResult {}
}
