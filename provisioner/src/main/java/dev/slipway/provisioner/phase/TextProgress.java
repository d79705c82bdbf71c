package dev.slipway.provisioner.phase;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/** Progress for people: a numbered line per phase, an indented line per host, a summary. */
public final class TextProgress implements Progress {
  private final PrintWriter out;
  private final boolean verbose;

  public TextProgress(PrintWriter out, boolean verbose) {
    this.out = out;
    this.verbose = verbose;
  }

  @Override
  public synchronized void phaseStarted(int number, int count, String title) {
    print("[" + number + "/" + count + "] " + title);
  }

  @Override
  public synchronized void phaseSkipped(int number, int count, String title) {
    print("[" + number + "/" + count + "] " + title + ": nothing to do");
  }

  @Override
  public synchronized void hostStarted(String phase, String host) {
    if (verbose) {
      print("      " + host + " ...");
    }
  }

  @Override
  public synchronized void hostSucceeded(String phase, String host, Duration elapsed) {
    print(String.format(Locale.ROOT, "      %-20s ok      %s", host, seconds(elapsed)));
  }

  @Override
  public synchronized void hostFailed(String phase, String host, Duration elapsed, String reason) {
    print(String.format(Locale.ROOT, "      %-20s FAILED  %s  %s", host, seconds(elapsed), firstLine(reason)));
  }

  @Override
  public synchronized void phaseFinished(String title, Duration elapsed) {
    if (verbose) {
      print("      done in " + seconds(elapsed));
    }
  }

  @Override
  public synchronized void phaseFailed(String title, Duration elapsed, String reason) {
    print("      " + title + " failed after " + seconds(elapsed));
  }

  @Override
  public synchronized void note(String message) {
    print("note: " + message);
  }

  @Override
  public synchronized void show(String text) {
    out.print(text.endsWith("\n") ? text : text + "\n");
    out.flush();
  }

  @Override
  public synchronized void finished(RunResult result) {
    switch (result) {
      case RunResult.Completed done -> print("All " + done.completed().size() + " phases done in " + seconds(done.elapsed()) + ".");
      case RunResult.Stopped stopped -> {
        print("");
        print("Stopped at phase \"" + stopped.phase() + "\" after " + seconds(stopped.elapsed()) + ": "
            + PhaseRunner.reason(stopped.error()));
        if (stopped.error() instanceof PhaseFailed failed) {
          failed.hostFailures().forEach(f -> print("  " + f.host() + ": " + f.reason().replace("\n", "\n    ")));
        }
        if (!stopped.notRun().isEmpty()) {
          print("Not run: " + String.join(", ", stopped.notRun()) + ".");
        }
      }
    }
  }

  private static String firstLine(String text) {
    return text.lines().findFirst().orElse("");
  }

  private void print(String line) {
    out.println(line);
    out.flush();
  }

  static String seconds(Duration elapsed) {
    return PerHostPhase.seconds(elapsed);
  }
}
