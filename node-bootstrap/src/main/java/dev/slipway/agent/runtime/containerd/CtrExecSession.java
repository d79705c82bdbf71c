package dev.slipway.agent.runtime.containerd;

import dev.slipway.agent.runtime.ExecSession;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;

/** A streamed exec through {@code ctr tasks exec}: its pipes are the command's pipes, its exit code the command's. */
final class CtrExecSession implements ExecSession {

  private final Process ctr;
  private final CompletableFuture<Integer> exitCode;

  CtrExecSession(Process ctr) {
    this.ctr = ctr;
    this.exitCode = ctr.onExit().thenApply(Process::exitValue);
  }

  @Override
  public OutputStream stdin() {
    return ctr.getOutputStream();
  }

  @Override
  public InputStream stdout() {
    return ctr.getInputStream();
  }

  @Override
  public InputStream stderr() {
    return ctr.getErrorStream();
  }

  @Override
  public CompletableFuture<Integer> exitCode() {
    return exitCode;
  }

  @Override
  public void close() {
    // Ending ctr ends the exec'd process too: ctr forwards the signal to it.
    if (ctr.isAlive()) {
      ctr.destroy();
    }
  }
}
