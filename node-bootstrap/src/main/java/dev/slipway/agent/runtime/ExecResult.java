package dev.slipway.agent.runtime;

import java.nio.charset.StandardCharsets;

/** The outcome of a synchronous exec. */
public record ExecResult(int exitCode, byte[] stdout, byte[] stderr) {

  public ExecResult {
    stdout = stdout.clone();
    stderr = stderr.clone();
  }

  @Override
  public byte[] stdout() {
    return stdout.clone();
  }

  @Override
  public byte[] stderr() {
    return stderr.clone();
  }

  public String stdoutText() {
    return new String(stdout, StandardCharsets.UTF_8);
  }

  public String stderrText() {
    return new String(stderr, StandardCharsets.UTF_8);
  }

  public boolean succeeded() {
    return exitCode == 0;
  }
}
