package dev.slipway.agent.runtime.process;

import dev.slipway.agent.runtime.ExecSession;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;

/** An exec in the process runtime: a host process with its pipes handed to the caller. */
final class ProcessExecSession implements ExecSession {

  private final Process process;
  private final CompletableFuture<Integer> exitCode;

  ProcessExecSession(Process process) {
    this.process = process;
    this.exitCode = process.onExit().thenApply(Process::exitValue);
  }

  @Override
  public OutputStream stdin() {
    return process.getOutputStream();
  }

  @Override
  public InputStream stdout() {
    return process.getInputStream();
  }

  @Override
  public InputStream stderr() {
    return process.getErrorStream();
  }

  @Override
  public CompletableFuture<Integer> exitCode() {
    return exitCode;
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
  }
}
