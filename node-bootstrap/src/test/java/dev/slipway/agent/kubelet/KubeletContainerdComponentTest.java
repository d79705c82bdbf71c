package dev.slipway.agent.kubelet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.agent.config.AgentConfig;
import dev.slipway.agent.runtime.containerd.ContainerdService;
import dev.slipway.pki.TlsIdentity;
import dev.slipway.pki.TrustedCertificates;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Component test: a worker's node services on the containerd runtime against a real etcd and API
 * server. The agent starts its own containerd (in a network namespace of the test's, so the CNI
 * bridge and pod addresses never touch the machine's network), imports the node's image bundles,
 * and runs busybox pods with addresses from the node's pod range. Skipped, with the reason, where
 * root, containerd, runc or the CNI plugins are missing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KubeletContainerdComponentTest {

  private static final String NODE = "worker-cd";
  private static final String POD_CIDR = "10.244.9.0/24";
  private static final Duration WAIT = Duration.ofSeconds(90);

  @TempDir static Path base;
  private String netns;
  private ClusterFixture cluster;
  private AgentConfig config;
  private NodeServices node;

  @BeforeAll
  void start() throws Exception {
    unavailable().ifPresent(Assumptions::abort);
    netns = "slipway-kl-" + UUID.randomUUID().toString().substring(0, 8);
    run(List.of("ip", "netns", "add", netns));
    run(List.of("ip", "-n", netns, "link", "set", "lo", "up"));
    cluster = ClusterFixture.start(base.resolve("cluster"));
    cluster.startCsrSigner();
    Path root = base.resolve("worker");
    // The node's image bundles, where the provisioner ships them.
    run(List.of(repoRoot().resolve("images/build").toString(), root.resolve("opt/slipway/images").toString()));
    config = cluster.worker(NODE, root, List.of(cluster.servers().getFirst().url()), "containerd", Map.of(), List.of(), POD_CIDR);
    node = startNode();
  }

  private NodeServices startNode() throws InterruptedException {
    // Only the network namespace: `ip netns exec` would also remount /sys, hiding the cgroup mounts from runc.
    return NodeServices.start(config, cidr -> ContainerdService.Settings.forPodCidr(cidr).withLaunchPrefix(enterNetns()));
  }

  @AfterAll
  void stop() {
    try {
      if (node != null) {
        node.kubelet().pods().forEach(p -> cluster.admin().pods().inNamespace(p.getMetadata().getNamespace())
            .withName(p.getMetadata().getName()).withGracePeriod(0).delete());
        await().atMost(WAIT).ignoreExceptions().until(() -> node.kubelet().runtime().listPodSandboxes().isEmpty());
        node.close();
      }
    } finally {
      if (cluster != null) {
        cluster.close();
      }
      if (netns != null) {
        unmountUnder(base);
        runQuietly(List.of("ip", "netns", "del", netns));
      }
    }
  }

  @Test
  void podServesHttpAtAnAddressFromTheNodesPodRangeAndItsLogLosesTheCriPrefixes() throws Exception {
    createPod("web", "mkdir -p /www && echo hello-from-pod > /www/index.html && echo serving on 8080 && exec httpd -f -p 8080 -h /www");

    Pod running = awaitPod("web", p -> "Running".equals(p.getStatus().getPhase()) && p.getStatus().getPodIP() != null);

    String ip = running.getStatus().getPodIP();
    assertThat(ip).startsWith("10.244.9.");
    assertThat(running.getStatus().getPodIPs()).extracting(io.fabric8.kubernetes.api.model.PodIP::getIp).containsExactly(ip);
    // The client runs in the test's network namespace, where the pod network lives; bash's /dev/tcp needs no HTTP tool.
    String get = "exec 3<>/dev/tcp/" + ip + "/8080 && printf 'GET / HTTP/1.0\\r\\n\\r\\n' >&3 && cat <&3";
    await().atMost(WAIT).ignoreExceptions().untilAsserted(() ->
        assertThat(inNetns(List.of("timeout", "5", "bash", "-c", get))).startsWith("HTTP/1.").contains(" 200 ").endsWith("hello-from-pod\n"));
    HttpResponse<String> log = await().atMost(WAIT).until(() -> kubeletGet("/containerLogs/default/web/main"),
        r -> r.statusCode() == 200 && !r.body().isEmpty());
    assertThat(log.body()).isEqualTo("serving on 8080\n");
  }

  @Test
  void killedContainerIsRestartedAndItsRestartCountGoesUp() {
    createPod("restart", "exec httpd -f -p 8080");
    Pod running = awaitPod("restart", p -> "Running".equals(p.getStatus().getPhase()));
    String id = containerId(running);

    run(List.of("ctr", "--address", socket().toString(), "--namespace", "k8s.io", "tasks", "kill", "--signal", "SIGKILL", id));

    Pod restarted = awaitPod("restart", p -> container(p).getRestartCount() >= 1 && container(p).getState().getRunning() != null);
    assertThat(containerId(restarted)).isNotEqualTo(id);
    assertThat(container(restarted).getLastState().getTerminated().getExitCode()).isEqualTo(137);
  }

  @Test
  void deletedPodIsStoppedGracefullyAndItsSandboxAndAddressAreReleased() throws Exception {
    createPod("graceful", "trap 'echo stopped; exit 0' TERM; echo ready; while :; do sleep 1; done");
    Pod running = awaitPod("graceful", p -> "Running".equals(p.getStatus().getPhase()) && p.getStatus().getPodIP() != null);
    String uid = running.getMetadata().getUid();
    Path address = ipamFile(running.getStatus().getPodIP());
    assertThat(address).exists();

    cluster.admin().pods().inNamespace("default").withName("graceful").withGracePeriod(20).delete();

    await().atMost(WAIT).until(() -> cluster.admin().pods().inNamespace("default").withName("graceful").get() == null);
    assertThat(node.kubelet().runtime().listPodSandboxes()).noneMatch(s -> s.uid().equals(uid));
    assertThat(address).doesNotExist();
    Path log = new PodLogs(config.paths().logDir()).containerLog("default", "graceful", uid, "main", 0);
    assertThat(Files.readString(log)).contains(" stdout F stopped\n");
  }

  @Test
  void restartedAgentAdoptsTheRunningContainersOfItsContainerd() throws Exception {
    createPod("adopted", "exec httpd -f -p 8080");
    Pod before = awaitPod("adopted", p -> "Running".equals(p.getStatus().getPhase()));

    node.close();
    node = startNode();

    await().atMost(WAIT).until(() -> node.kubelet().pod("default", "adopted").isPresent());
    Pod after = awaitPod("adopted", p -> "Running".equals(p.getStatus().getPhase()));
    assertThat(containerId(after)).isEqualTo(containerId(before));
    assertThat(container(after).getRestartCount()).isZero();
    assertThat(after.getStatus().getPodIP()).isEqualTo(before.getStatus().getPodIP());
  }

  // ---- helpers

  private void createPod(String name, String script) {
    cluster.admin().pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName(name).endMetadata()
        .withNewSpec().withNodeName(NODE).withTerminationGracePeriodSeconds(5L)
        .addNewContainer().withName("main").withImage("slipway.dev/busybox:1").withCommand("sh", "-c", script).endContainer()
        .endSpec().build()).create();
  }

  private Pod awaitPod(String name, Predicate<Pod> condition) {
    return await().atMost(WAIT).until(() -> cluster.admin().pods().inNamespace("default").withName(name).get(),
        p -> p != null && p.getStatus() != null && p.getStatus().getContainerStatuses() != null
            && !p.getStatus().getContainerStatuses().isEmpty() && condition.test(p));
  }

  private static ContainerStatus container(Pod pod) {
    return pod.getStatus().getContainerStatuses().getFirst();
  }

  private static String containerId(Pod pod) {
    String id = container(pod).getContainerID();
    return id.substring(id.indexOf("://") + 3);
  }

  private Path socket() {
    return new ContainerdService(config.paths(), ContainerdService.Settings.forPodCidr(POD_CIDR)).socket();
  }

  /** host-local keeps one file per address it handed out, named after the address. */
  private Path ipamFile(String ip) {
    return new ContainerdService(config.paths(), ContainerdService.Settings.forPodCidr(POD_CIDR)).ipamDir().resolve("slipway").resolve(ip);
  }

  private HttpResponse<String> kubeletGet(String path) throws Exception {
    HttpClient http = HttpClient.newBuilder().sslContext(TlsIdentity.load(cluster.file("apiserver-kubelet-client.crt"),
        cluster.file("apiserver-kubelet-client.key")).sslContext(TrustedCertificates.load(cluster.caFile()))).build();
    return http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + node.kubeletPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private List<String> enterNetns() {
    return List.of("nsenter", "--net=/run/netns/" + netns);
  }

  private String inNetns(List<String> command) {
    List<String> argv = new ArrayList<>(enterNetns());
    argv.addAll(command);
    return run(argv);
  }

  /** Why this machine cannot run the test, if it cannot. */
  private static Optional<String> unavailable() {
    if (!"root".equals(System.getProperty("user.name"))) {
      return Optional.of("the containerd kubelet test needs root (network namespaces, mounts, cgroups); run it as root, as CI does");
    }
    for (String tool : List.of("containerd", "ctr", "runc", "ip", "nsenter", "busybox", "bash")) {
      if (Stream.of(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")).noneMatch(dir -> Files.isExecutable(Path.of(dir, tool)))) {
        return Optional.of(tool + " is not installed (Debian: containerd, runc, iproute2, busybox-static)");
      }
    }
    if (!Files.isExecutable(Path.of("/usr/lib/cni/bridge")) || !Files.isExecutable(Path.of("/usr/lib/cni/host-local"))) {
      return Optional.of("CNI plugins are missing in /usr/lib/cni (Debian: containernetworking-plugins)");
    }
    return Optional.empty();
  }

  private static Path repoRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve("images/build"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("cannot find images/build above " + Path.of("").toAbsolutePath());
    }
    return dir;
  }

  /** Overlay and namespace mounts that containerd left under the temp dir would keep it from being deleted. */
  private static void unmountUnder(Path root) {
    try {
      Files.readAllLines(Path.of("/proc/self/mounts")).stream()
          .map(line -> line.split(" ")[1].replace("\\040", " "))
          .filter(point -> point.startsWith(root + "/"))
          .sorted(Comparator.reverseOrder())
          .forEach(point -> runQuietly(List.of("umount", "-l", point)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String run(List<String> argv) {
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
