package dev.slipway.e2e.etcd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The real etcdctl (v3 API), run from the lab where the tests run, with a given client identity. */
record Etcdctl(List<String> endpoints, Path caCert, Path clientCert, Path clientKey) {

  /** What one etcdctl run printed. */
  record Result(int exitCode, String out) {
    boolean succeeded() {
      return exitCode == 0;
    }
  }

  static Etcdctl of(Path pki, List<String> endpoints) {
    return new Etcdctl(endpoints, pki.resolve("etcd/ca.crt"), pki.resolve("apiserver-etcd-client.crt"),
        pki.resolve("apiserver-etcd-client.key"));
  }

  Etcdctl withEndpoints(List<String> newEndpoints) {
    return new Etcdctl(newEndpoints, caCert, clientCert, clientKey);
  }

  Etcdctl withClient(Path cert, Path key) {
    return new Etcdctl(endpoints, caCert, cert, key);
  }

  Result run(String... args) {
    var command = new ArrayList<>(List.of("/usr/bin/etcdctl", "--endpoints=" + String.join(",", endpoints),
        "--cacert=" + caCert, "--cert=" + clientCert, "--key=" + clientKey, "--dial-timeout=5s", "--command-timeout=10s"));
    command.addAll(List.of(args));
    try {
      var builder = new ProcessBuilder(command).redirectErrorStream(true);
      builder.environment().put("ETCDCTL_API", "3");
      var process = builder.start();
      var out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return new Result(-1, out + "\n(killed after 60s)");
      }
      return new Result(process.exitValue(), out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run etcdctl", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
