package dev.slipway.agent.runtime.containerd;

import dev.slipway.agent.config.AgentPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real containerd for component tests, in a network namespace of its own (so the CNI bridge and
 * the pod addresses never touch the machine's network) and a temporary agent root.
 */
final class ContainerdLab implements AutoCloseable {

  static final String POD_CIDR = "10.244.7.0/24";

  final String netns;
  final AgentPaths paths;
  final ContainerdService service;
  final ContainerdRuntime runtime;
  final Path bundle;

  private ContainerdLab(Path root) {
    this.netns = "slipway-rt-" + UUID.randomUUID().toString().substring(0, 8);
    this.paths = new AgentPaths(root);
    run(List.of("ip", "netns", "add", netns));
    run(List.of("ip", "-n", netns, "link", "set", "lo", "up"));
    this.service = new ContainerdService(paths, ContainerdService.Settings.forPodCidr(POD_CIDR)
        .withLaunchPrefix(enterNetns()));
    service.start();
    this.runtime = ContainerdRuntime.connect(service.socket(), "ctr");
    this.bundle = root.resolve("opt/slipway/images");
    run(List.of(repoRoot().resolve("images/build").toString(), bundle.toString()));
  }

  /** Only the network namespace: `ip netns exec` would also remount /sys, hiding the cgroup mounts from runc. */
  private List<String> enterNetns() {
    return List.of("nsenter", "--net=/run/netns/" + netns);
  }

  /** Why this machine cannot run the containerd tests, if it cannot. */
  static Optional<String> unavailable() {
    if (!"root".equals(System.getProperty("user.name"))) {
      return Optional.of("containerd tests need root (network namespaces, mounts, cgroups); run them as root, as CI does");
    }
    for (String tool : List.of("containerd", "ctr", "runc", "ip", "nsenter", "busybox")) {
      if (Stream.of(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":"))
          .noneMatch(dir -> Files.isExecutable(Path.of(dir, tool)))) {
        return Optional.of(tool + " is not installed (Debian: containerd, runc, iproute2, busybox-static)");
      }
    }
    if (!Files.isDirectory(Path.of("/usr/lib/cni"))) {
      return Optional.of("CNI plugins are missing in /usr/lib/cni (Debian: containernetworking-plugins)");
    }
    return Optional.empty();
  }

  static ContainerdLab start(Path root) {
    return new ContainerdLab(root);
  }

  /** Runs a command inside the lab's network namespace and returns its output (exit code must be 0). */
  String inNetns(List<String> command) {
    List<String> argv = new ArrayList<>(enterNetns());
    argv.addAll(command);
    return run(argv);
  }

  @Override
  public void close() {
    try {
      runtime.listPodSandboxes().forEach(s -> {
        runtime.stopPodSandbox(s.id());
        runtime.removePodSandbox(s.id());
      });
    } finally {
      runtime.close();
      service.stop();
      unmountUnder(paths.root());
      runQuietly(List.of("ip", "netns", "del", netns));
    }
  }

  /** Overlay and namespace mounts that containerd left under the root would keep the temp dir from being deleted. */
  private static void unmountUnder(Path root) {
    try {
      List<String> mounts = Files.readAllLines(Path.of("/proc/self/mounts")).stream()
          .map(line -> line.split(" ")[1].replace("\\040", " "))
          .filter(point -> point.startsWith(root.toString() + "/"))
          .sorted(Comparator.reverseOrder())
          .toList();
      mounts.forEach(point -> runQuietly(List.of("umount", "-l", point)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path repoRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve("images/build"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("cannot find images/build above " + Path.of("").toAbsolutePath());
    }
    return dir;
  }

  static String run(List<String> argv) {
    try {
      Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", argv) + " failed: " + out);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void runQuietly(List<String> argv) {
    try {
      run(argv);
    } catch (RuntimeException e) {
      // Clean-up goes on with the next step.
    }
  }
}
