package dev.slipway.e2e.api;

import dev.slipway.e2e.CommandOutput;
import dev.slipway.e2e.Testbed;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The whole cluster on the testbed ({@code slipway up -i inventories/testbed.yaml}), brought up once
 * per test run and shared by the API and workload tests, with both real kubectl binaries.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final ClusterUnderTest cluster = new ClusterUnderTest();
 * }</pre>
 *
 * The inventory is {@code inventories/testbed.yaml} unless {@code -Dslipway.e2e.inventory} names
 * another for the same hosts. The cluster directory is {@code -Dslipway.e2e.clusterDir} when given (a cluster that answers
 * there is reused as it is, handy while iterating), else a fresh temporary folder. Before {@code up}
 * every host is wiped, as the etcd tests do, so that a cluster left by another test class with
 * other certificates does not get in the way. When {@code up} fails, the tests still run against
 * whatever answers, and {@link #upOutput()} goes into their failure messages.
 */
public final class ClusterUnderTest implements BeforeAllCallback {

  /** The masters, in the order of the inventory. */
  public static final List<String> MASTERS = List.of("master-1", "master-2", "master-3");
  public static final List<String> WORKERS = List.of("worker-1", "worker-2");
  /** Every host of the inventory is a Node: the masters, then the workers. */
  public static final List<String> NODES = Stream.concat(MASTERS.stream(), WORKERS.stream()).toList();

  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ClusterUnderTest.class);
  private static final java.time.Duration TESTBED_WAIT = java.time.Duration.ofMinutes(30);
  private static volatile Up shared;
  private static FileLock heldLock;

  private final Testbed testbed = new Testbed();

  /** What the one {@code up} of this run left: the cluster directory and what up printed. */
  private record Up(Path clusterDir, CommandOutput output) {
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    testbed.beforeAll(context);
    shared = context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent("up", key -> bringUp(), Up.class);
  }

  /**
   * Holds {@code testbed/.state/e2e.lock} until this JVM ends: two e2e runs on one machine share
   * the testbed, and the second one's wipe and {@code up} would break the first one's cluster.
   */
  private void holdTestbed() {
    Path lockFile = testbed.home().resolve("testbed/.state/e2e.lock");
    try {
      FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        System.err.println("ClusterUnderTest: another e2e run holds " + lockFile + "; waiting for it (at most " + TESTBED_WAIT + ")");
        var acquired = new java.util.concurrent.atomic.AtomicReference<FileLock>();
        try {
          Awaitility.await().atMost(TESTBED_WAIT).pollInterval(java.time.Duration.ofSeconds(2))
              .until(() -> { acquired.set(channel.tryLock()); return acquired.get() != null; });
        } catch (ConditionTimeoutException e) {
          channel.close();
          throw new IllegalStateException("another e2e run has held the testbed (" + lockFile + ") for " + TESTBED_WAIT
              + "; two runs on one machine would break each other's cluster", e);
        }
        lock = acquired.get();
      }
      heldLock = lock; // released when the JVM exits
    } catch (IOException e) {
      throw new UncheckedIOException("cannot lock " + lockFile, e);
    }
  }

  private Up bringUp() {
    holdTestbed();
    String given = System.getProperty("slipway.e2e.clusterDir", "");
    Path dir;
    try {
      dir = given.isEmpty() ? Files.createTempDirectory("slipway-e2e-cluster") : Path.of(given).toAbsolutePath();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot make a cluster directory", e);
    }
    if (!given.isEmpty() && Files.isRegularFile(dir.resolve("admin.kubeconfig"))) {
      var reused = new Kubectl("1.32", Path.of("kubectl"), dir.resolve("admin.kubeconfig"), "").run("get", "--raw", "/readyz");
      if (reused.succeeded()) {
        return new Up(dir, new CommandOutput(List.of("(reused the cluster in " + dir + ")"), 0, "", ""));
      }
    }
    for (String host : Testbed.HOSTS.keySet()) {
      testbed.exec(host, "if [ -x /opt/slipway/bin/slipway-agent ]; then /opt/slipway/bin/slipway-agent stop --root /; fi;"
          + " rm -rf /etc/slipway/* /var/lib/slipway/* /opt/slipway/* /var/log/slipway/*");
    }
    CommandOutput up = testbed.slipway("up", "-i", inventory().toString(), "--cluster-dir", dir.toString());
    return new Up(dir, up);
  }

  /**
   * The inventory the cluster is made from: {@code inventories/testbed.yaml}, or {@code -Dslipway.e2e.inventory}
   * (the same hosts with another runtime, say).
   */
  public Path inventory() {
    String given = System.getProperty("slipway.e2e.inventory", "");
    return given.isEmpty() ? testbed.inventory() : Path.of(given).toAbsolutePath();
  }

  public Testbed testbed() {
    return testbed;
  }

  public Path clusterDir() {
    return up().clusterDir();
  }

  public Path kubeconfig() {
    return clusterDir().resolve("admin.kubeconfig");
  }

  /** What {@code slipway up} printed, for failure messages. */
  public CommandOutput upOutput() {
    return up().output();
  }

  /** The kubectl on PATH (1.32). */
  public Kubectl kubectl() {
    return new Kubectl("1.32", Path.of("kubectl"), kubeconfig(), "");
  }

  /** Debian's kubectl 1.20, from {@code testbed/tools/kubectl-1.20}. */
  public Kubectl kubectl120() {
    return new Kubectl("1.20", kubectl120Binary(), kubeconfig(), "");
  }

  /** Both kubectl binaries, for {@code @MethodSource("dev.slipway.e2e.api.ClusterUnderTest#kubectls")}. */
  public static Stream<Kubectl> kubectls() {
    ClusterUnderTest cluster = new ClusterUnderTest();
    return Stream.of(cluster.kubectl(), cluster.kubectl120());
  }

  /**
   * Powers a host on and starts its agent, as its init system would at boot (the testbed boots
   * hosts with only their sshd); a no-op for a host that is on with its agent running.
   */
  public void powerOn(String host) {
    testbed.power(host, Testbed.Power.ON);
    CommandOutput agent = testbed.exec(host, "pgrep -f '[s]lipway-agent[.]jar' >/dev/null || /opt/slipway/bin/slipway-agent daemon --root /");
    if (!agent.succeeded()) {
      throw new IllegalStateException("the agent on " + host + " did not start after power on: " + agent);
    }
  }

  /**
   * Waits at most {@code bound} until every Node is Ready and every master's API server answers
   * {@code /readyz}; fails naming what is not, and why it matters ({@code what}).
   */
  public void awaitHealthy(java.time.Duration bound, String what) {
    var last = new java.util.concurrent.atomic.AtomicReference<String>("(nothing asked yet)");
    try {
      Awaitility.await().atMost(bound).pollInterval(java.time.Duration.ofSeconds(2)).until(() -> {
        List<String> unhealthy = unhealthy();
        last.set(String.join(", ", unhealthy));
        return unhealthy.isEmpty();
      });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(what + ": not healthy within " + bound + ": " + last.get()
          + " (see /var/log/slipway/agent.log on those hosts)", e);
    }
  }

  /** What keeps the cluster from being whole now: Nodes not Ready, masters whose API server is not ready. */
  private List<String> unhealthy() {
    List<String> found = new java.util.ArrayList<>();
    var ready = kubectl().run("get", "nodes", "-o",
        "jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type==\"Ready\")].status} {end}");
    if (!ready.succeeded()) {
      found.add("kubectl get nodes failed: " + ready);
    } else {
      List<String> readyNodes = Stream.of(ready.stdout().trim().split("\\s+")).filter(entry -> entry.endsWith("=True"))
          .map(entry -> entry.substring(0, entry.length() - "=True".length())).toList();
      NODES.stream().filter(node -> !readyNodes.contains(node)).forEach(node -> found.add("Node " + node + " not Ready (" + ready.stdout().trim() + ")"));
    }
    for (String master : MASTERS) {
      if (!kubectl().against(apiServer(master)).run("get", "--raw", "/readyz").succeeded()) {
        found.add("API server of " + master + " not ready");
      }
    }
    return found;
  }

  /** The API server URL of a master, for {@link Kubectl#against(String)}. */
  public String apiServer(String master) {
    return "https://" + testbed.address(master) + ":6443";
  }

  /** Makes a namespace of its own for one test ({@code e2e-<what>-<random>}); delete it with {@link #deleteNamespace}. */
  public String newNamespace(String what) {
    String name = ("e2e-" + what + "-" + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36 * 36), 36))
        .toLowerCase(Locale.ROOT);
    // apply, not create: kubectl 1.32's create sends protobuf, which KubectlApiE2ETest checks on its own.
    apply(kubectl(), "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + name + "\n");
    return name;
  }

  /** Applies a manifest given as text with {@code kubectl apply -f -}; fails the test unless it succeeds. */
  public static String apply(Kubectl kubectl, String manifest) {
    CommandOutput apply = kubectl.runWithInput(manifest, "apply", "-f", "-");
    if (!apply.succeeded()) {
      throw new AssertionError("kubectl " + kubectl.version() + " apply failed: " + apply + "\nthe manifest:\n" + manifest);
    }
    return apply.stdout();
  }

  /** Deletes a test's namespace without waiting for its objects to go. */
  public void deleteNamespace(String name) {
    kubectl().run("delete", "namespace", name, "--wait=false", "--ignore-not-found");
  }

  private Path kubectl120Binary() {
    String script = testbed.home().resolve("testbed/tools/kubectl-1.20").toString();
    try {
      Process process = new ProcessBuilder(script).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      String path = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0 || path.isEmpty()) {
        process.destroyForcibly();
        throw new IllegalStateException(script + " did not provide kubectl 1.20 (see its message above)");
      }
      return Path.of(path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + script, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static Up up() {
    Up up = shared;
    if (up == null) {
      throw new IllegalStateException("register ClusterUnderTest with @RegisterExtension before using it");
    }
    return up;
  }
}
