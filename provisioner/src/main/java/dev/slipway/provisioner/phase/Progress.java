package dev.slipway.provisioner.phase;

import java.time.Duration;

/** Where a command tells the operator how it goes: text for people, JSON lines for programs. */
public interface Progress {
  void phaseStarted(int number, int count, String title);

  void phaseSkipped(int number, int count, String title);

  void hostStarted(String phase, String host);

  void hostSucceeded(String phase, String host, Duration elapsed);

  void hostFailed(String phase, String host, Duration elapsed, String reason);

  void phaseFinished(String title, Duration elapsed);

  void phaseFailed(String title, Duration elapsed, String reason);

  /** A remark that does not stop anything, e.g. "not highly available". */
  void note(String message);

  /** A block for people (a table, advice). JSON output leaves it out: commands print a document. */
  void show(String text);

  /** The whole run's end. */
  void finished(RunResult result);
}
