package dev.slipway.e2e.api;

import dev.slipway.e2e.CommandOutput;
import dev.slipway.e2e.Subprocess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

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
    return runWithInput(null, args);
  }

  /** Runs {@code kubectl ARGS...} with {@code stdin} as its input ({@code apply -f -}). */
  public CommandOutput runWithInput(String stdin, String... args) {
    return Subprocess.run(command(args), Path.of("."), stdin, TIMEOUT);
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

  @Override
  public String toString() {
    return "kubectl " + version;
  }
}
