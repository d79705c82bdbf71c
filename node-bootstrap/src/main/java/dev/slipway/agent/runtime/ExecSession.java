package dev.slipway.agent.runtime;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;

/** A command running in a container with its streams open; closing it kills the command if it still runs. */
public interface ExecSession extends AutoCloseable {

  OutputStream stdin();

  InputStream stdout();

  InputStream stderr();

  /** Completes with the command's exit code. */
  CompletableFuture<Integer> exitCode();

  @Override
  void close();
}
