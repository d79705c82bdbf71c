package dev.slipway.agent.runtime.containerd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.slipway.agent.runtime.ContainerRuntimeException;
import dev.slipway.agent.runtime.ContainerSpec;
import dev.slipway.agent.runtime.ContainerState;
import dev.slipway.agent.runtime.ContainerStatus;
import dev.slipway.agent.runtime.ExecResult;
import dev.slipway.agent.runtime.ExecSession;
import dev.slipway.agent.runtime.ImageBundles;
import dev.slipway.agent.runtime.SandboxSpec;
import dev.slipway.agent.runtime.SandboxStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Component tests against a real containerd that the test starts (as root) in its own network
 * namespace and temporary root, with Slipway's images imported from bundles built by images/build.
 * Skipped, with the reason, where containerd, runc or root are missing.
 */
class ContainerdRuntimeTest {

  private static final String BUSYBOX = "slipway.dev/busybox:1";
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir static Path root;
  private static ContainerdLab lab;
  private static ContainerdRuntime runtime;

  private String uid;
  private String sandbox;

  @BeforeAll
  static void startContainerd() {
    ContainerdLab.unavailable().ifPresent(reason -> Assumptions.abort(reason));
    lab = ContainerdLab.start(root);
    runtime = lab.runtime;
    assertThat(ImageBundles.importAll(runtime, lab.bundle)).containsExactly(BUSYBOX, ContainerdService.PAUSE_IMAGE);
  }

  @AfterAll
  static void stopContainerd() {
    if (lab != null) {
      lab.close();
    }
  }

  @BeforeEach
  void sandbox() {
    uid = UUID.randomUUID().toString();
    sandbox = runtime.runPodSandbox(sandboxSpec(uid));
  }

  @AfterEach
  void removeSandbox() {
    if (sandbox == null) {
      return;
    }
    runtime.stopPodSandbox(sandbox);
    runtime.removePodSandbox(sandbox);
  }

  @Test
  void podSandboxesAreOnlyThatPodsWithTheirAddresses() {
    String otherUid = UUID.randomUUID().toString();
    String other = runtime.runPodSandbox(sandboxSpec(otherUid));
    try {
      List<SandboxStatus> mine = runtime.podSandboxes(uid);

      assertThat(mine).singleElement().satisfies(s -> {
        assertThat(s.id()).isEqualTo(sandbox);
        assertThat(s.ready()).isTrue();
        assertThat(s.ip()).isPresent();
      });
      assertThat(runtime.listPodSandboxes()).extracting(SandboxStatus::id).contains(sandbox, other);
      assertThat(runtime.podSandboxes(UUID.randomUUID().toString())).isEmpty();
    } finally {
      runtime.stopPodSandbox(other);
      runtime.removePodSandbox(other);
    }
  }

  @Test
  void aResyncWithNothingChangedMakesNoStatusCallAndStillSeesTheContainerExit() {
    String id = start("waiter", List.of("sh", "-c", "until [ -e /tmp/go ]; do sleep 0.1; done; exit 4"), ContainerSpec.Resources.NONE);
    assertThat(runtime.podSandboxes(uid)).singleElement().satisfies(s -> assertThat(s.ip()).isPresent());
    assertThat(runtime.listContainers(sandbox)).singleElement().satisfies(c -> assertThat(c.running()).isTrue());
    long sandboxStatusCalls = runtime.operations("PodSandboxStatus");
    long containerStatusCalls = runtime.operations("ContainerStatus");

    for (int resync = 0; resync < 3; resync++) {
      assertThat(runtime.podSandboxes(uid)).singleElement().satisfies(s -> {
        assertThat(s.ready()).isTrue();
        assertThat(s.ip()).isPresent();
      });
      assertThat(runtime.listContainers(sandbox)).singleElement().satisfies(c -> assertThat(c.running()).isTrue());
    }
    assertThat(runtime.operations("PodSandboxStatus")).isEqualTo(sandboxStatusCalls);
    assertThat(runtime.operations("ContainerStatus")).isEqualTo(containerStatusCalls);

    // The container ends by itself, not through the runtime: the list's new state must bring the new status.
    runtime.execSync(id, List.of("touch", "/tmp/go"), Duration.ofSeconds(10));
    await().atMost(WAIT).until(() -> runtime.listContainers(sandbox).getFirst().state() instanceof ContainerState.Exited);
    assertThat(runtime.listContainers(sandbox).getFirst().state()).isInstanceOfSatisfying(ContainerState.Exited.class,
        exited -> assertThat(exited.exitCode()).isEqualTo(4));
  }

  @Test
  void podsShareOneListingYetEachSeesItsOwnChangeAtOnce() {
    String otherUid = UUID.randomUUID().toString();
    String other = runtime.runPodSandbox(sandboxSpec(otherUid));
    try {
      String id = start("app", List.of("sleep", "600"), ContainerSpec.Resources.NONE);
      assertThat(runtime.listContainers(sandbox)).singleElement().satisfies(c -> {
        assertThat(c.id()).isEqualTo(id);
        assertThat(c.running()).isTrue();
      });
      long listings = runtime.operations("ListPodSandbox");
      long started = System.nanoTime();

      for (int resync = 0; resync < 10; resync++) {
        assertThat(runtime.podSandboxes(uid)).extracting(SandboxStatus::id).containsExactly(sandbox);
        assertThat(runtime.podSandboxes(otherUid)).extracting(SandboxStatus::id).containsExactly(other);
        assertThat(runtime.listContainers(sandbox)).extracting(ContainerStatus::id).containsExactly(id);
        assertThat(runtime.listContainers(other)).isEmpty();
      }

      // Listed per pod, that was 20 listings; shared, one per half second at most, however slow the machine.
      long halfSeconds = (System.nanoTime() - started) / TimeUnit.MILLISECONDS.toNanos(500);
      assertThat(runtime.operations("ListPodSandbox") - listings).isLessThanOrEqualTo(1 + halfSeconds);
    } finally {
      runtime.stopPodSandbox(other);
      runtime.removePodSandbox(other);
    }
  }

  @Test
  void importedBundleImagesArePresent() {
    assertThat(runtime.hasImage(BUSYBOX)).isTrue();
    assertThat(runtime.hasImage(ContainerdService.PAUSE_IMAGE)).isTrue();
    assertThat(runtime.hasImage("slipway.dev/nothing:1")).isFalse();
    assertThat(runtime.version()).startsWith("containerd://");
  }

  @Test
  void sandboxIsReadyWithAnAddressFromThePodRange() {
    SandboxStatus status = runtime.podSandboxStatus(sandbox).orElseThrow();

    assertThat(status.ready()).isTrue();
    assertThat(status.podIp()).startsWith("10.244.7.");
    assertThat(status.uid()).isEqualTo(uid);
    assertThat(runtime.listPodSandboxes()).extracting(SandboxStatus::id).contains(sandbox);
  }

  @Test
  void containerServesHttpAtThePodIp() {
    String id = start("web", List.of("sh", "-c", "mkdir -p /www && echo hello-from-pod > /www/index.html && exec httpd -f -p 8080 -h /www"), ContainerSpec.Resources.NONE);
    String ip = runtime.podSandboxStatus(sandbox).orElseThrow().podIp();

    assertThat(runtime.containerStatus(id).orElseThrow().running()).isTrue();
    // The client runs in the lab's network namespace, where the pod network lives; bash's /dev/tcp needs no HTTP tool.
    String get = "exec 3<>/dev/tcp/" + ip + "/8080 && printf 'GET / HTTP/1.0\\r\\n\\r\\n' >&3 && cat <&3";
    await().atMost(WAIT).ignoreExceptions().untilAsserted(() ->
        assertThat(lab.inNetns(List.of("timeout", "5", "bash", "-c", get))).startsWith("HTTP/1.").contains(" 200 ").endsWith("hello-from-pod\n"));
  }

  @Test
  void containerOutputGoesToItsLogFile() {
    String id = start("talker", List.of("sh", "-c", "echo to-the-log; sleep 600"), ContainerSpec.Resources.NONE);

    Path log = runtime.containerStatus(id).orElseThrow().logPath();
    await().atMost(WAIT).until(() -> Files.exists(log) && Files.readString(log).contains("stdout F to-the-log"));
  }

  @Test
  void execSyncRunsInTheContainerAndReportsOutputAndExitCode() {
    String id = start("shell", List.of("sleep", "600"), ContainerSpec.Resources.NONE);

    ExecResult ok = runtime.execSync(id, List.of("sh", "-c", "echo $((6*7)); echo warn >&2"), Duration.ofSeconds(10));
    ExecResult failed = runtime.execSync(id, List.of("sh", "-c", "exit 3"), Duration.ofSeconds(10));

    assertThat(ok.exitCode()).isZero();
    assertThat(ok.stdoutText()).isEqualTo("42\n");
    assertThat(ok.stderrText()).isEqualTo("warn\n");
    assertThat(failed.exitCode()).isEqualTo(3);
  }

  @Test
  void execSessionStreamsStdinToStdoutInsideTheContainer() throws Exception {
    String id = start("shell", List.of("sleep", "600"), ContainerSpec.Resources.NONE);

    try (ExecSession session = runtime.exec(id, List.of("sh", "-c", "read line; echo got-$line; cat /etc/hostname"))) {
      session.stdin().write("ping\n".getBytes(StandardCharsets.UTF_8));
      session.stdin().flush();
      session.stdin().close();

      String out = new String(session.stdout().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(out).isEqualTo("got-ping\npod-" + uid.substring(0, 8) + "\n");
      assertThat(session.exitCode().get(30, TimeUnit.SECONDS)).isZero();
    }
  }

  @Test
  void stopWithGraceLetsTheContainerEndOnSigterm() {
    String id = start("polite", List.of("sh", "-c", "trap 'exit 7' TERM; echo ready; while :; do sleep 1; done"), ContainerSpec.Resources.NONE);
    awaitLog(id, "ready");

    runtime.stopContainer(id, Duration.ofSeconds(30));

    assertThat(exited(id).exitCode()).isEqualTo(7);
  }

  @Test
  void stopKillsAContainerThatIgnoresSigtermAfterTheGracePeriod() {
    String id = start("stubborn", List.of("sh", "-c", "trap '' TERM; echo ready; while :; do sleep 1; done"), ContainerSpec.Resources.NONE);
    awaitLog(id, "ready");

    runtime.stopContainer(id, Duration.ofSeconds(1));

    assertThat(exited(id).exitCode()).isEqualTo(137);
  }

  @Test
  void failingCommandEndsWithItsExitCode() {
    String id = start("job", List.of("sh", "-c", "exit 3"), ContainerSpec.Resources.NONE);

    await().atMost(WAIT).until(() -> runtime.containerStatus(id).orElseThrow().state() instanceof ContainerState.Exited);
    ContainerState.Exited exited = exited(id);
    assertThat(exited.exitCode()).isEqualTo(3);
    assertThat(exited.reason()).isEqualTo("Error");
  }

  @Test
  void restartedContainerIsANewAttemptBesideTheOldOne() {
    String first = start("job", List.of("sh", "-c", "exit 1"), ContainerSpec.Resources.NONE);
    await().atMost(WAIT).until(() -> runtime.containerStatus(first).orElseThrow().state() instanceof ContainerState.Exited);

    String second = runtime.createContainer(sandbox, spec("job", 1, List.of("sleep", "600"), ContainerSpec.Resources.NONE));
    runtime.startContainer(second);

    assertThat(runtime.listContainers(sandbox))
        .extracting(ContainerStatus::id, ContainerStatus::name, ContainerStatus::attempt, ContainerStatus::running)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(first, "job", 0, false),
            org.assertj.core.groups.Tuple.tuple(second, "job", 1, true));
    assertThat(runtime.containerStatus(second).orElseThrow().sandboxId()).isEqualTo(sandbox);
  }

  @Test
  void memoryLimitIsWrittenToTheContainersCgroup() throws Exception {
    long limit = 64L * 1024 * 1024;
    String id = start("limited", List.of("sleep", "600"), new ContainerSpec.Resources(250, limit));

    Path cgroup = Path.of("/sys/fs/cgroup/memory" + ContainerdRuntime.cgroupParent(uid), id, "memory.limit_in_bytes");
    assertThat(Files.readString(cgroup).strip()).isEqualTo(Long.toString(limit));
    Path quota = Path.of("/sys/fs/cgroup/cpu" + ContainerdRuntime.cgroupParent(uid), id, "cpu.cfs_quota_us");
    assertThat(Files.readString(quota).strip()).isEqualTo("25000");
  }

  @Test
  void containerOfAnImageThatIsNotThereIsRefused() {
    assertThatThrownBy(() -> runtime.createContainer(sandbox, new ContainerSpec("ghost", 0, "slipway.dev/nothing:1", List.of(), List.of(),
        Map.of(), "", List.of(), logPath("ghost", 0), ContainerSpec.Resources.NONE, Map.of())))
        .isInstanceOf(ContainerRuntimeException.class)
        .hasMessageContaining("CreateContainer")
        .hasMessageContaining("slipway.dev/nothing:1");
  }

  @Test
  void removedSandboxTakesItsContainersAndItsAddressAlong() throws Exception {
    String id = start("web", List.of("sleep", "600"), ContainerSpec.Resources.NONE);
    String ip = runtime.podSandboxStatus(sandbox).orElseThrow().podIp();

    runtime.stopPodSandbox(sandbox);
    runtime.removePodSandbox(sandbox);

    assertThat(runtime.podSandboxStatus(sandbox)).isEmpty();
    assertThat(runtime.containerStatus(id)).isEmpty();
    try (var allocations = Files.list(lab.service.ipamDir().resolve("slipway"))) {
      assertThat(allocations.map(p -> p.getFileName().toString())).doesNotContain(ip);
    }
    assertThat(Path.of("/sys/fs/cgroup/memory" + ContainerdRuntime.cgroupParent(uid))).doesNotExist();
  }

  @Test
  void removedImageIsGoneUntilImportedAgain() {
    runtime.removeImage(BUSYBOX);
    assertThat(runtime.hasImage(BUSYBOX)).isFalse();

    List<String> imported = runtime.importImages(lab.bundle.resolve("busybox.tar"));

    assertThat(imported).containsExactly(BUSYBOX);
    assertThat(runtime.hasImage(BUSYBOX)).isTrue();
  }

  private String start(String name, List<String> command, ContainerSpec.Resources resources) {
    String id = runtime.createContainer(sandbox, spec(name, 0, command, resources));
    runtime.startContainer(id);
    return id;
  }

  private ContainerSpec spec(String name, int attempt, List<String> command, ContainerSpec.Resources resources) {
    return new ContainerSpec(name, attempt, BUSYBOX, command, List.of(), Map.of("POD", uid), "", List.of(),
        logPath(name, attempt), resources, Map.of("app", "test"));
  }

  private Path logPath(String name, int attempt) {
    return root.resolve("var/log/pods/default_pod_" + uid + "/" + name + "/" + attempt + ".log");
  }

  private void awaitLog(String id, String text) {
    Path log = runtime.containerStatus(id).orElseThrow().logPath();
    await().atMost(WAIT).until(() -> Files.exists(log) && Files.readString(log).contains(text));
  }

  private ContainerState.Exited exited(String id) {
    return (ContainerState.Exited) runtime.containerStatus(id).orElseThrow().state();
  }

  private SandboxSpec sandboxSpec(String podUid) {
    return new SandboxSpec("pod", "default", podUid, 0, "pod-" + podUid.substring(0, 8), Map.of("app", "test"), false, List.of(),
        root.resolve("var/log/pods/default_pod_" + podUid));
  }
}
