package dev.slipway.e2e.api;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A kubectl that keeps printing (a {@code get -w}): every line it has printed so far, in order. */
public final class KubectlStream implements AutoCloseable {

  private final Process process;
  private final List<String> lines = new ArrayList<>();
  private final StringBuilder errors = new StringBuilder();

  private KubectlStream(Process process) {
    this.process = process;
  }

  static KubectlStream start(List<String> command) throws IOException {
    var stream = new KubectlStream(new ProcessBuilder(command).start());
    Thread.ofVirtual().start(stream::readLines);
    Thread.ofVirtual().start(stream::readErrors);
    return stream;
  }

  private void readLines() {
    try (var reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = reader.readLine()) != null; ) {
        synchronized (lines) {
          lines.add(line);
        }
      }
    } catch (IOException e) {
      // Closed: the lines read so far stay.
    }
  }

  private void readErrors() {
    try {
      String text = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      synchronized (errors) {
        errors.append(text);
      }
    } catch (IOException e) {
      // Closed.
    }
  }

  public List<String> lines() {
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }

  public boolean alive() {
    return process.isAlive();
  }

  /** What the stream printed on stdout and stderr, for assertion messages. */
  @Override
  public String toString() {
    synchronized (errors) {
      return "stdout:\n" + String.join("\n", lines()) + "\nstderr:\n" + errors + (alive() ? "" : "\n(exited " + process.exitValue() + ")");
    }
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
