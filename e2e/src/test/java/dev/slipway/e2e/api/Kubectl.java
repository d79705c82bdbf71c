package dev.slipway.e2e.api;

import dev.slipway.e2e.CommandOutput;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real kubectl binary with the cluster's admin kubeconfig, run from the lab where the tests run.
 *
 * @param version what the binary is, for test names ({@code 1.32}, {@code 1.20})
 * @param server  the API server to talk to instead of the kubeconfig's; empty for the kubeconfig's
 */
public record Kubectl(String version, Path binary, Path kubeconfig, String server) {

  private static final Duration TIMEOUT = Duration.ofSeconds(90);

  /** The same binary and credentials against another API server ({@code https://10.77.0.12:6443}). */
  public Kubectl against(String serverUrl) {
    return new Kubectl(version, binary, kubeconfig, serverUrl);
  }

  /** Runs {@code kubectl ARGS...}; the run is killed and fails after 90 s. */
  public CommandOutput run(String... args) {
    return run(null, args);
  }

  /** Runs {@code kubectl ARGS...} with {@code stdin} as its input ({@code apply -f -}). */
  public CommandOutput runWithInput(String stdin, String... args) {
    return run(stdin, args);
  }

  /** Runs {@code kubectl ARGS...} and fails the test, with everything kubectl said, unless it succeeds. */
  public String ok(String... args) {
    CommandOutput out = run(args);
    if (!out.succeeded()) {
      throw new AssertionError("kubectl " + version + " failed: " + out);
    }
    return out.stdout();
  }

  /** Starts {@code kubectl ARGS...} (a {@code get -w}) in the background; close ends it. */
  public KubectlStream stream(String... args) {
    try {
      return KubectlStream.start(command(args));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + String.join(" ", command(args)), e);
    }
  }

  List<String> command(String... args) {
    var command = new ArrayList<>(List.of(binary.toString(), "--kubeconfig=" + kubeconfig, "--request-timeout=30s"));
    if (!server.isEmpty()) {
      command.add("--server=" + server);
    }
    command.addAll(List.of(args));
    return command;
  }

  private CommandOutput run(String stdin, String... args) {
    List<String> command = command(args);
    Process process;
    try {
      process = new ProcessBuilder(command).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + String.join(" ", command), e);
    }
    var stdout = new ByteArrayOutputStream();
    var stderr = new ByteArrayOutputStream();
    Thread out = Thread.ofVirtual().start(() -> copy(process.getInputStream(), stdout));
    Thread err = Thread.ofVirtual().start(() -> copy(process.getErrorStream(), stderr));
    try (OutputStream in = process.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      // kubectl exited before reading its input; its own output says why.
    }
    try {
      if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("kubectl still running after " + TIMEOUT + ", killed: " + String.join(" ", command));
      }
      out.join(Duration.ofSeconds(5));
      err.join(Duration.ofSeconds(5));
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
    }
    return new CommandOutput(command, process.exitValue(), text(stdout), text(stderr));
  }

  private static void copy(InputStream from, ByteArrayOutputStream to) {
    try (from) {
      byte[] buffer = new byte[8192];
      for (int n; (n = from.read(buffer)) >= 0; ) {
        synchronized (to) {
          to.write(buffer, 0, n);
        }
      }
    } catch (IOException e) {
      // The process was killed; what was read so far is kept.
    }
  }

  private static String text(ByteArrayOutputStream bytes) {
    synchronized (bytes) {
      return bytes.toString(StandardCharsets.UTF_8);
    }
  }

  @Override
  public String toString() {
    return "kubectl " + version;
  }
}
