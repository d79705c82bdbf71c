package dev.slipway.provisioner.phase;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * Progress for programs: one JSON object per line ({@code {"event":"host-succeeded",...}}). It
 * goes to standard error so that standard output carries only the command's result document.
 */
public final class JsonProgress implements Progress {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private final PrintWriter out;

  public JsonProgress(PrintWriter out) {
    this.out = out;
  }

  @Override
  public void phaseStarted(int number, int count, String title) {
    emit("phase-started", "phase", title, "number", number, "count", count);
  }

  @Override
  public void phaseSkipped(int number, int count, String title) {
    emit("phase-skipped", "phase", title, "number", number, "count", count);
  }

  @Override
  public void hostStarted(String phase, String host) {
    emit("host-started", "phase", phase, "host", host);
  }

  @Override
  public void hostSucceeded(String phase, String host, Duration elapsed) {
    emit("host-succeeded", "phase", phase, "host", host, "seconds", seconds(elapsed));
  }

  @Override
  public void hostFailed(String phase, String host, Duration elapsed, String reason) {
    emit("host-failed", "phase", phase, "host", host, "seconds", seconds(elapsed), "error", reason);
  }

  @Override
  public void phaseFinished(String title, Duration elapsed) {
    emit("phase-finished", "phase", title, "seconds", seconds(elapsed));
  }

  @Override
  public void phaseFailed(String title, Duration elapsed, String reason) {
    emit("phase-failed", "phase", title, "seconds", seconds(elapsed), "error", reason);
  }

  @Override
  public void note(String message) {
    emit("note", "message", message);
  }

  @Override
  public void show(String text) {
    // For people only; a JSON caller reads the command's document instead.
  }

  @Override
  public void finished(RunResult result) {
    switch (result) {
      case RunResult.Completed done -> emit("run-completed", "seconds", seconds(done.elapsed()));
      case RunResult.Stopped stopped -> emit("run-stopped", "phase", stopped.phase(),
          "error", PhaseRunner.reason(stopped.error()), "seconds", seconds(stopped.elapsed()));
    }
  }

  private static double seconds(Duration elapsed) {
    return elapsed.toMillis() / 1000.0;
  }

  private synchronized void emit(String event, Object... keysAndValues) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("event", event);
    for (int i = 0; i < keysAndValues.length; i += 2) {
      line.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    out.println(JSON.writeValueAsString(line));
    out.flush();
  }
}
