package dev.slipway.agent.runtime.containerd;

import dev.slipway.agent.runtime.ContainerSpec;
import dev.slipway.agent.runtime.SandboxSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Pod start latency on a real containerd (not a test): sandbox plus one busybox container until the
 * container runs, images imported beforehand, N pods one after another; prints p50 and p99.
 * Run as root: {@code java -cp <test class path> dev.slipway.agent.runtime.containerd.PodStartBenchmark [N]}.
 */
public final class PodStartBenchmark {

  private PodStartBenchmark() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    ContainerdLab.unavailable().ifPresent(reason -> {
      throw new IllegalStateException(reason);
    });
    Path root = Files.createTempDirectory("slipway-bench-");
    try (ContainerdLab lab = ContainerdLab.start(root)) {
      try (var tars = Files.list(lab.bundle)) {
        tars.sorted().forEach(lab.runtime::importImages);
      }
      List<Long> micros = new ArrayList<>();
      for (int i = 0; i < n + 1; i++) {
        String uid = "bench-" + i;
        long start = System.nanoTime();
        String sandbox = lab.runtime.runPodSandbox(new SandboxSpec("bench", "default", uid, 0, "bench-" + i, Map.of(), false, List.of(),
            root.resolve("var/log/pods/" + uid)));
        String id = lab.runtime.createContainer(sandbox, new ContainerSpec("main", 0, "slipway.dev/busybox:1", List.of("sleep", "600"),
            List.of(), Map.of(), "", List.of(), root.resolve("var/log/pods/" + uid + "/main/0.log"), ContainerSpec.Resources.NONE, Map.of()));
        lab.runtime.startContainer(id);
        long elapsed = (System.nanoTime() - start) / 1000;
        if (!lab.runtime.containerStatus(id).orElseThrow().running()) {
          throw new IllegalStateException("container of pod " + i + " is not running");
        }
        if (i > 0) { // the first pod warms up the JIT and containerd's caches
          micros.add(elapsed);
        }
        lab.runtime.stopPodSandbox(sandbox);
        lab.runtime.removePodSandbox(sandbox);
      }
      micros.sort(Long::compare);
      System.out.printf("pod start (sandbox + container running), containerd, N=%d: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
          n, micros.get(n / 2) / 1000.0, micros.get((int) Math.ceil(n * 0.99) - 1) / 1000.0, micros.getLast() / 1000.0);
    }
  }
}
