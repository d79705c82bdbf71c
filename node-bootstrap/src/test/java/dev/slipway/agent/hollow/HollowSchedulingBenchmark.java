package dev.slipway.agent.hollow;

import dev.slipway.controlplane.controller.LeaderElectedService;
import dev.slipway.controlplane.scheduler.SchedulerService;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Scheduling throughput with hollow nodes, kubemark-style (not a test): etcd and the API server on
 * loopback, N hollow agents in this JVM (real node registration, Leases, kubelets and status updates
 * over {@link HollowRuntime}), then the real scheduler, then P pods created as fast as the API takes
 * them. A watch stamps when each pod is first seen bound and first seen Running; it prints pods bound
 * per second (first to last binding), the time until all are Running, and the JVM's memory and threads.
 *
 * <pre>
 * java -cp &lt;node-bootstrap test class path&gt; dev.slipway.agent.hollow.HollowSchedulingBenchmark \
 *     [nodes=1000] [pods=5000] [schedulerWorkers=16] [creators=32] [concurrent|pods-first] [warmUpPods=0]
 * </pre>
 * With {@code pods-first} every pod exists before the scheduler starts, so the binding rate is the
 * scheduler's and the API's alone, not bounded by how fast pods are created. A warm-up round, as
 * Kubernetes' scheduler_perf runs its initial pods, schedules {@code warmUpPods} pods with a scheduler
 * of its own first: the first pods a cold JVM binds also pay for compiling the scheduler's, the API
 * server's and a thousand kubelets' code (C2 compiled the kubelet's pod sync five times, about a
 * second each, in the first 25 s of a cold round), which is not the scheduling rate of a running
 * cluster. Both rounds print their figures.
 * {@code bench/scheduling-hollow-nodes.sh} builds and runs it.
 */
public final class HollowSchedulingBenchmark {

  private static final String NAMESPACE = "bench";
  private static final long NODES_READY_TIMEOUT_S = 600;
  private static final long PODS_TIMEOUT_S = 600;
  private static final long IDLE_SAMPLE_S = 10;
  /** At most this many idle windows, until the JIT compiler keeps under {@link #SETTLED_JIT_CORES} cores busy in one. */
  private static final int MAX_IDLE_WINDOWS = 6;
  private static final double SETTLED_JIT_CORES = 0.05;

  private HollowSchedulingBenchmark() {}

  /** When the watch first saw a pod bound and Running, in {@link System#nanoTime()}; 0 while not yet. */
  private static final class Seen {
    volatile long created;
    volatile long bound;
    volatile long running;
  }

  public static void main(String[] arguments) throws Exception {
    int nodeCount = argument(arguments, 0, 1000);
    int podCount = argument(arguments, 1, 5000);
    int workers = argument(arguments, 2, SchedulerService.Settings.WORKERS);
    int creators = argument(arguments, 3, 32);
    boolean podsFirst = arguments.length > 4 && arguments[4].equals("pods-first");
    int warmUpCount = argument(arguments, 5, 0);
    System.out.printf("hollow scheduling benchmark: %d nodes, %d pods (%s) after %d warm-up pods, %d scheduler workers, %d concurrent creators; "
        + "%d CPUs; load %s%n", nodeCount, podCount, podsFirst ? "all created before the scheduler starts" : "created while the scheduler runs",
        warmUpCount, workers, creators, Runtime.getRuntime().availableProcessors(), load());
    Path directory = Files.createTempDirectory("slipway-hollow-");
    // An interrupted run (Ctrl-C, kill) must not leave its etcd behind.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> ProcessHandle.current().descendants().forEach(ProcessHandle::destroy)));
    try (HollowCluster cluster = HollowCluster.start(directory)) {
      JvmFigures base = JvmFigures.now();
      System.out.printf("control plane up: %s%n", base);

      long start = System.nanoTime();
      cluster.addNodes(0, nodeCount, 64);
      System.out.printf("%d hollow nodes registered with kubelets started in %.1f s; load %s%n", nodeCount, seconds(start), load());
      waitFor("all nodes Ready", NODES_READY_TIMEOUT_S, () -> cluster.readyNodes() >= nodeCount);
      System.out.printf("%d nodes Ready %.1f s after the first started; load %s%n", nodeCount, seconds(start), load());
      JvmFigures withNodes = JvmFigures.now();
      System.out.printf("with %d hollow nodes: %s; per node: %.0f KiB heap, %.2f platform threads%n", nodeCount, withNodes,
          (withNodes.heapBytes - base.heapBytes) / 1024.0 / nodeCount, (withNodes.platformThreads - base.platformThreads) / (double) nodeCount);
      // Right after the nodes start, the JIT compiler still works through their code (about half a core here),
      // which is not what a thousand idle nodes cost: sample windows until it has settled.
      for (int window = 1; window <= MAX_IDLE_WINDOWS; window++) {
        CpuUse idle = CpuUse.start();
        TimeUnit.SECONDS.sleep(IDLE_SAMPLE_S);
        System.out.printf("idle with %d Ready nodes (Leases, node status), window %d of at most %d, %d s: %s%n", nodeCount, window,
            MAX_IDLE_WINDOWS, IDLE_SAMPLE_S, idle.since(0));
        if (idle.jitCores() < SETTLED_JIT_CORES) {
          break;
        }
      }

      cluster.admin().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
      Map<String, Seen> seen = new ConcurrentHashMap<>();
      try (KubernetesClient observer = cluster.adminClient(); Watch watch = observer.pods().inNamespace(NAMESPACE).watch(stamping(seen));
          KubernetesClient creator = cluster.adminClient(); KubernetesClient schedulerClient = cluster.adminClient()) {
        Round round = new Round(creator, schedulerClient, workers, creators, seen);
        if (warmUpCount > 0) {
          System.out.printf("warm-up round (not the measured one; it leaves its pods running): %d pods, all created before its scheduler starts%n",
              warmUpCount);
          round.run("warm-up-", warmUpCount, true);
          System.out.println("measured round:");
        }
        round.run("pod-", podCount, podsFirst);
        System.out.printf("after the run: %s; load %s%n", JvmFigures.now(), load());
      }
    } finally {
      deleteQuietly(directory);
    }
  }

  /**
   * One round: its pods (named {@code prefix} and a number) created before or while a scheduler of its own runs, and
   * figures from when that scheduler started (or the first create) until all of them run. The scheduler stops with the
   * round, so the next round's pods wait for the next scheduler as the first round's did.
   */
  private record Round(KubernetesClient creator, KubernetesClient schedulerClient, int workers, int creators, Map<String, Seen> seen) {

    void run(String prefix, int count, boolean podsFirst) throws Exception {
      Map<String, Seen> mine = new ConcurrentHashMap<>();
      for (int i = 0; i < count; i++) {
        mine.put(prefix + i, new Seen());
      }
      seen.putAll(mine);
      long createStart = podsFirst ? create(creator, mine, creators) : 0;
      try (LeaderElectedService scheduler = SchedulerService.start(schedulerClient, new SchedulerService.Settings("hollow-bench", "kube-system",
          "kube-scheduler", workers))) {
        waitFor("the scheduler to lead", 60, scheduler::isLeading);
        long schedulerStart = System.nanoTime();
        CpuUse scheduling = CpuUse.start();
        if (!podsFirst) {
          createStart = create(creator, mine, creators);
        }
        waitFor("all pods Running", PODS_TIMEOUT_S, () -> mine.values().stream().allMatch(s -> s.running != 0));
        report(mine, podsFirst ? schedulerStart : createStart, podsFirst ? "the scheduler's start" : "the first create");
        if (podsFirst) {
          System.out.printf("from the scheduler's start until all Running: %s%n", scheduling.since(count));
        }
      }
    }
  }

  private static Watcher<Pod> stamping(Map<String, Seen> seen) {
    return new Watcher<>() {
      @Override
      public void eventReceived(Action action, Pod pod) {
        Seen s = seen.get(pod.getMetadata().getName());
        if (s == null) {
          return;
        }
        long now = System.nanoTime();
        if (s.bound == 0 && pod.getSpec().getNodeName() != null && !pod.getSpec().getNodeName().isEmpty()) {
          s.bound = now;
        }
        if (s.running == 0 && pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase())) {
          s.running = now;
        }
      }

      @Override
      public void onClose(WatcherException cause) {
        System.out.println("the benchmark's pod watch closed: " + cause.getMessage());
      }
    };
  }

  /** Creates the named pods, {@code parallel} requests at a time; returns when the first create started. */
  private static long create(KubernetesClient client, Map<String, Seen> seen, int parallel) throws InterruptedException {
    int count = seen.size();
    long start = System.nanoTime();
    Semaphore slots = new Semaphore(parallel);
    AtomicInteger failures = new AtomicInteger();
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (String name : seen.keySet()) {
        slots.acquire();
        threads.submit(() -> {
          try {
            seen.get(name).created = System.nanoTime();
            client.pods().inNamespace(NAMESPACE).resource(BenchPods.pod(name)).create();
          } catch (KubernetesClientException e) {
            // A create retried after a timeout finds the pod its first attempt made.
            if (e.getCode() != 409 && failures.incrementAndGet() <= 5) {
              System.out.printf("creating pod %s failed: %s%n", name, e.getMessage());
            }
          } catch (RuntimeException e) {
            if (failures.incrementAndGet() <= 5) {
              System.out.printf("creating pod %s failed: %s%n", name, e.getMessage());
            }
          } finally {
            slots.release();
          }
        });
      }
    }
    if (failures.get() > 0) {
      throw new IllegalStateException(failures.get() + " of " + count + " pods could not be created");
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("created %d pods in %.2f s (%.0f pods/s); load %s%n", count, seconds, count / seconds, load());
    return start;
  }

  /** Figures from the watch's stamps; {@code origin} is when the scheduler could first have bound a pod. */
  private static void report(Map<String, Seen> seen, long origin, String originName) {
    List<Long> bound = new ArrayList<>();
    List<Long> running = new ArrayList<>();
    List<Long> createToRunning = new ArrayList<>();
    for (Seen s : seen.values()) {
      bound.add(s.bound);
      running.add(s.running);
      createToRunning.add(s.running - s.created);
    }
    bound.sort(Long::compare);
    running.sort(Long::compare);
    createToRunning.sort(Long::compare);
    int n = bound.size();
    double bindSpan = (bound.getLast() - bound.getFirst()) / 1e9;
    System.out.printf("scheduling throughput: %d pods bound in %.2f s from the first to the last binding = %.0f pods/s "
        + "(%.0f pods/s from %s)%n", n, bindSpan, (n - 1) / bindSpan, n / ((bound.getLast() - origin) / 1e9), originName);
    System.out.printf("bound per second, from the first binding: %s%n", perSecond(bound));
    System.out.printf("all %d pods Running %.2f s after %s (%.2f s after the last binding)%n", n,
        (running.getLast() - origin) / 1e9, originName, (running.getLast() - bound.getLast()) / 1e9);
    System.out.printf("create to Running per pod: p50 %.0f ms, p99 %.0f ms, max %.0f ms%n", createToRunning.get(n / 2) / 1e6,
        createToRunning.get((int) Math.ceil(n * 0.99) - 1) / 1e6, createToRunning.getLast() / 1e6);
  }

  /** How many bindings fell into each second after the first one, to show whether the rate holds. */
  private static String perSecond(List<Long> sorted) {
    long first = sorted.getFirst();
    int seconds = (int) ((sorted.getLast() - first) / 1_000_000_000L) + 1;
    int[] counts = new int[seconds];
    for (long t : sorted) {
      counts[(int) ((t - first) / 1_000_000_000L)]++;
    }
    StringBuilder text = new StringBuilder();
    for (int count : counts) {
      text.append(text.isEmpty() ? "" : " ").append(count);
    }
    return text.toString();
  }

  /** Heap in use after a GC, the process's resident memory, and its platform threads. */
  private record JvmFigures(long heapBytes, long residentBytes, int platformThreads) {
    static JvmFigures now() {
      System.gc();
      long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      return new JvmFigures(heap, rss(), ManagementFactory.getThreadMXBean().getThreadCount());
    }

    private static long rss() {
      try {
        return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS:"))
            .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024).findFirst().orElse(0L);
      } catch (IOException e) {
        return 0;
      }
    }

    @Override
    public String toString() {
      return String.format("heap %.0f MiB after GC, RSS %.0f MiB, %d platform threads", heapBytes / 1048576.0, residentBytes / 1048576.0,
          platformThreads);
    }
  }

  private interface Condition {
    boolean holds() throws Exception;
  }

  /** Polls every 200 ms, at most {@code seconds}; no test, so no Awaitility. */
  private static void waitFor(String what, long seconds, Condition condition) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.holds()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("gave up waiting for " + what + " after " + seconds + " s");
      }
      TimeUnit.MILLISECONDS.sleep(200);
    }
  }

  private static int argument(String[] arguments, int index, int otherwise) {
    return arguments.length > index ? Integer.parseInt(arguments[index]) : otherwise;
  }

  /**
   * CPU time this JVM and its child processes (etcd) used from a start, against the wall time, and the part of this
   * JVM's that its JIT compiler threads used (on two cores a large part while code warms up). The compiler's CPU is read
   * from its threads in {@code /proc}: the JVM's own figure for it is the compilations' wall time, which on a busy
   * machine also counts the time they waited for a core.
   */
  private record CpuUse(long wallStart, long jvmStart, long childrenStart, long compilerStart) {
    private static final Path THREADS = Path.of("/proc/self/task");
    private static final long NANOS_PER_TICK = 10_000_000; // USER_HZ is 100 on Linux

    static CpuUse start() {
      return new CpuUse(System.nanoTime(), cpuNanos(Stream.of(ProcessHandle.current())), cpuNanos(ProcessHandle.current().descendants()),
          compilerNanos());
    }

    /** Cores the JIT compiler threads kept busy since the start. */
    double jitCores() {
      return (compilerNanos() - compilerStart) / (double) (System.nanoTime() - wallStart);
    }

    /** Cores busy since the start, and the CPU per item when {@code items} is positive. */
    String since(int items) {
      double wall = System.nanoTime() - wallStart;
      long jvm = cpuNanos(Stream.of(ProcessHandle.current())) - jvmStart;
      long children = cpuNanos(ProcessHandle.current().descendants()) - childrenStart;
      String text = String.format("%.2f of %d cores busy (this JVM %.2f, of it JIT compiling %.2f; etcd %.2f)", (jvm + children) / wall,
          Runtime.getRuntime().availableProcessors(), jvm / wall, jitCores(), children / wall);
      return items > 0 ? text + String.format(", %.1f ms CPU per pod", (jvm + children) / 1e6 / items) : text;
    }

    /** User and system time of the threads named "C1 CompilerThread…" or "C2 CompilerThread…"; 0 where /proc has none. */
    private static long compilerNanos() {
      try (Stream<Path> threads = Files.list(THREADS)) {
        return threads.mapToLong(thread -> {
          try {
            if (!Files.readString(thread.resolve("comm")).strip().matches("C[12] CompilerThre.*")) {
              return 0;
            }
            String stat = Files.readString(thread.resolve("stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * NANOS_PER_TICK;
          } catch (IOException e) {
            return 0; // the thread ended meanwhile
          }
        }).sum();
      } catch (IOException e) {
        return 0;
      }
    }

    private static long cpuNanos(Stream<ProcessHandle> processes) {
      return processes.mapToLong(process -> process.info().totalCpuDuration().map(Duration::toNanos).orElse(0L)).sum();
    }
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }

  private static String load() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static void deleteQuietly(Path directory) {
    try (var paths = Files.walk(directory)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.out.println("could not remove " + directory + ": " + e.getMessage());
    }
  }
}
