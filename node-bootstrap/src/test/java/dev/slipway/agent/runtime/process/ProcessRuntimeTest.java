package dev.slipway.agent.runtime.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.slipway.agent.runtime.ContainerRuntimeException;
import dev.slipway.agent.runtime.ContainerSpec;
import dev.slipway.agent.runtime.ContainerState;
import dev.slipway.agent.runtime.ContainerStatus;
import dev.slipway.agent.runtime.ExecResult;
import dev.slipway.agent.runtime.ExecSession;
import dev.slipway.agent.runtime.SandboxSpec;
import dev.slipway.agent.runtime.SandboxStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The process runtime with real host processes (/bin/sh, busybox) in a temporary state folder. */
class ProcessRuntimeTest {

  private static final String NODE_IP = "127.0.0.1";
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path base;
  private Path state;
  private ProcessRuntime runtime;
  private String sandbox;

  @BeforeEach
  void sandbox() {
    state = base.resolve("var/lib/slipway/pods");
    runtime = new ProcessRuntime(state, NODE_IP, HostImage.DEFAULTS);
    sandbox = runtime.runPodSandbox(sandboxSpec("web", 0));
  }

  @AfterEach
  void removeEverything() {
    // A fresh instance sees every container, including those a test adopted elsewhere; the test's own instances are
    // closed first, so that none of them records a container's end while the temporary folder is being deleted.
    runtime.close();
    ProcessRuntime cleaner = new ProcessRuntime(state, NODE_IP, HostImage.DEFAULTS);
    cleaner.listPodSandboxes().forEach(s -> cleaner.removePodSandbox(s.id()));
    cleaner.close();
  }

  @Test
  void sandboxIsReadyWithTheNodeAddressAsPodIp() {
    SandboxStatus status = runtime.podSandboxStatus(sandbox).orElseThrow();

    assertThat(status.ready()).isTrue();
    assertThat(status.ip()).contains(NODE_IP);
    assertThat(status.name()).isEqualTo("web");
    assertThat(runtime.listPodSandboxes()).extracting(SandboxStatus::id).containsExactly(sandbox);
  }

  @Test
  void secondSandboxForTheSamePodAttemptIsRefused() {
    assertThatThrownBy(() -> runtime.runPodSandbox(sandboxSpec("web", 0)))
        .isInstanceOf(ContainerRuntimeException.class)
        .hasMessageContaining("web_default_uid-web_0 exists already");
  }

  @Test
  void startedContainerRunsAndWritesStdoutAndStderrToItsLog() {
    String id = create("talker", List.of("sh", "-c", "echo out-line; echo err-line >&2; sleep 600"));

    runtime.startContainer(id);

    assertThat(runtime.containerStatus(id).orElseThrow().state()).isInstanceOf(ContainerState.Running.class);
    await().atMost(WAIT).untilAsserted(() -> assertThat(log("talker")).contains("out-line", "err-line"));
  }

  @ParameterizedTest(name = "exit {0} is reported as {1}")
  @CsvSource({"0, Completed", "3, Error", "127, Error"})
  void exitCodeAndReasonOfAnEndedCommandAreRecorded(int code, String reason) {
    String id = create("job", List.of("sh", "-c", "exit " + code));

    runtime.startContainer(id);

    await().atMost(WAIT).until(() -> exited(id));
    var exited = (ContainerState.Exited) runtime.containerStatus(id).orElseThrow().state();
    assertThat(exited.exitCode()).isEqualTo(code);
    assertThat(exited.reason()).isEqualTo(reason);
    assertThat(exited.finishedAt()).isAfterOrEqualTo(exited.startedAt());
  }

  @Test
  void stopEndsAContainerThatHonoursSigtermWithItsOwnExitCode() {
    String id = create("polite", List.of("sh", "-c", "trap 'echo bye; exit 7' TERM; echo ready; while :; do sleep 1; done"));
    runtime.startContainer(id);
    await().atMost(WAIT).until(() -> log("polite").contains("ready"));

    runtime.stopContainer(id, Duration.ofSeconds(30));

    var exited = (ContainerState.Exited) runtime.containerStatus(id).orElseThrow().state();
    assertThat(exited.exitCode()).isEqualTo(7);
    assertThat(log("polite")).contains("bye");
  }

  @Test
  void stopKillsAContainerThatIgnoresSigtermOnceTheGracePeriodHasPassed() {
    String id = create("stubborn", List.of("sh", "-c", "trap '' TERM; echo ready; while :; do sleep 1; done"));
    runtime.startContainer(id);
    await().atMost(WAIT).until(() -> log("stubborn").contains("ready"));

    runtime.stopContainer(id, Duration.ofMillis(500));

    var exited = (ContainerState.Exited) runtime.containerStatus(id).orElseThrow().state();
    assertThat(exited.exitCode()).isEqualTo(137);
  }

  @Test
  void stopReachesEveryProcessTheContainerStarted() throws IOException {
    Path childPid = base.resolve("child.pid");
    String id = create("parent", List.of("sh", "-c", "sleep 600 & echo $! > " + childPid + "; wait"));
    runtime.startContainer(id);
    await().atMost(WAIT).until(() -> Files.exists(childPid) && !Files.readString(childPid).isBlank());
    long child = Long.parseLong(Files.readString(childPid).strip());

    runtime.stopContainer(id, Duration.ofSeconds(5));

    await().atMost(WAIT).until(() -> ProcessHandle.of(child).map(p -> !p.isAlive()).orElse(true));
  }

  @Test
  void newRuntimeOverTheSameStateAdoptsTheRunningContainerInsteadOfRestartingIt() {
    String id = create("server", List.of("sh", "-c", "echo started; sleep 600"));
    runtime.startContainer(id);
    await().atMost(WAIT).until(() -> log("server").contains("started"));
    var before = (ContainerState.Running) runtime.containerStatus(id).orElseThrow().state();
    runtime.close();

    ProcessRuntime next = new ProcessRuntime(state, NODE_IP, HostImage.DEFAULTS);

    ContainerStatus adopted = next.containerStatus(id).orElseThrow();
    next.close();
    assertThat(adopted.state()).isEqualTo(before);
    assertThat(log("server").lines().filter("started"::equals)).hasSize(1);
  }

  @Test
  void adoptedContainerIsStoppedByTheNewRuntimeWithItsExitCode() {
    String id = create("server", List.of("sh", "-c", "trap 'exit 9' TERM; echo ready; while :; do sleep 1; done"));
    runtime.startContainer(id);
    await().atMost(WAIT).until(() -> log("server").contains("ready"));
    ProcessRuntime next = new ProcessRuntime(state, NODE_IP, HostImage.DEFAULTS);

    next.stopContainer(id, Duration.ofSeconds(30));

    var exited = (ContainerState.Exited) next.containerStatus(id).orElseThrow().state();
    assertThat(exited.exitCode()).isEqualTo(9);
  }

  @Test
  void containerThatEndedWhileNoRuntimeWatchedIsReportedWithItsExitCode() {
    Path go = base.resolve("go");
    String id = create("batch", List.of("sh", "-c", "while [ ! -e " + go + " ]; do sleep 0.1; done; exit 4"));
    runtime.startContainer(id);
    runtime.close();
    touch(go);
    await().atMost(WAIT).until(() -> Files.exists(state.resolve("containers/" + id + ".exit")));

    ProcessRuntime next = new ProcessRuntime(state, NODE_IP, HostImage.DEFAULTS);

    await().atMost(WAIT).until(() -> next.containerStatus(id).orElseThrow().state() instanceof ContainerState.Exited);
    assertThat(((ContainerState.Exited) next.containerStatus(id).orElseThrow().state()).exitCode()).isEqualTo(4);
  }

  @Test
  void recordedPidNowUsedByAnotherProcessIsNotAdopted() throws IOException {
    String id = create("gone", List.of("sh", "-c", "sleep 600"));
    runtime.startContainer(id);
    Path record = state.resolve("containers/" + id + ".json");
    long realPid = recordedPid(record);
    runtime.stopContainer(id, Duration.ZERO);
    // Rewrite the record as if the agent had died while the container ran, and the pid went to this JVM.
    String json = Files.readString(record)
        .replaceFirst("\"phase\" : \"exited\"", "\"phase\" : \"running\"")
        .replaceFirst("\"pid\" : " + realPid, "\"pid\" : " + ProcessHandle.current().pid());
    Files.writeString(record, json);
    Files.deleteIfExists(state.resolve("containers/" + id + ".exit"));

    ProcessRuntime next = new ProcessRuntime(state, NODE_IP, HostImage.DEFAULTS);

    assertThat(next.containerStatus(id).orElseThrow().state()).isInstanceOf(ContainerState.Unknown.class);
    assertThat(ProcessHandle.current().isAlive()).isTrue();
  }

  @Test
  void execSyncRunsInTheContainersEnvironmentAndReportsOutputAndExitCode() {
    String id = create("shell", List.of("sh", "-c", "sleep 600"));
    runtime.startContainer(id);

    ExecResult ok = runtime.execSync(id, List.of("sh", "-c", "echo $GREETING; pwd; echo oops >&2"), Duration.ofSeconds(10));
    ExecResult failed = runtime.execSync(id, List.of("sh", "-c", "exit 5"), Duration.ofSeconds(10));

    assertThat(ok.exitCode()).isZero();
    assertThat(ok.stdoutText()).isEqualTo("hello\n" + base + "\n");
    assertThat(ok.stderrText()).isEqualTo("oops\n");
    assertThat(failed.exitCode()).isEqualTo(5);
  }

  @Test
  void execSyncThatOutlivesItsTimeoutIsAnError() {
    String id = create("shell", List.of("sh", "-c", "sleep 600"));
    runtime.startContainer(id);

    assertThatThrownBy(() -> runtime.execSync(id, List.of("sleep", "30"), Duration.ofMillis(300)))
        .isInstanceOf(ContainerRuntimeException.class)
        .hasMessageContaining("did not finish within 300 ms");
  }

  @Test
  void execSessionStreamsStdinToStdout() throws Exception {
    String id = create("shell", List.of("sh", "-c", "sleep 600"));
    runtime.startContainer(id);

    try (ExecSession session = runtime.exec(id, List.of("cat"))) {
      session.stdin().write("ping\n".getBytes(StandardCharsets.UTF_8));
      session.stdin().close();

      assertThat(new String(session.stdout().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("ping\n");
      assertThat(session.exitCode().get()).isZero();
    }
  }

  @Test
  void execInAContainerThatIsNotRunningIsRefused() {
    String id = create("idle", List.of("sh", "-c", "true"));

    assertThatThrownBy(() -> runtime.execSync(id, List.of("true"), Duration.ofSeconds(5)))
        .isInstanceOf(ContainerRuntimeException.class)
        .hasMessageContaining("it is created");
  }

  @Test
  void imageOutsideTheAllowListIsRefused() {
    assertThat(runtime.hasImage("slipway.dev/busybox:1")).isTrue();
    assertThat(runtime.hasImage("nginx:1.27")).isFalse();
    assertThatThrownBy(() -> runtime.createContainer(sandbox, spec("web", "nginx:1.27", List.of())))
        .isInstanceOf(ContainerRuntimeException.class)
        .hasMessageContaining("image nginx:1.27 is not one the process runtime can run");
  }

  @Test
  void commandThatIsNoHostProgramIsRefusedAtCreation() {
    assertThatThrownBy(() -> create("ghost", List.of("no-such-program-here")))
        .isInstanceOf(ContainerRuntimeException.class)
        .hasMessageContaining("command no-such-program-here is not an executable program on this host");
  }

  @Test
  void imageEntrypointRunsWhenTheContainerNamesNoCommand() {
    String id = runtime.createContainer(sandbox, spec("pause", "slipway.dev/pause:1", List.of()));

    runtime.startContainer(id);
    runtime.stopContainer(id, Duration.ofSeconds(10));

    var exited = (ContainerState.Exited) runtime.containerStatus(id).orElseThrow().state();
    assertThat(exited.exitCode()).as("pause ends on SIGTERM, it is not killed").isNotEqualTo(137);
  }

  @Test
  void removingTheSandboxKillsAndForgetsItsContainers() {
    String id = create("server", List.of("sh", "-c", "trap '' TERM; sleep 600"));
    runtime.startContainer(id);

    runtime.removePodSandbox(sandbox);

    assertThat(runtime.containerStatus(id)).isEmpty();
    assertThat(runtime.listPodSandboxes()).isEmpty();
    assertThat(new ProcessRuntime(state, NODE_IP, HostImage.DEFAULTS).listPodSandboxes()).isEmpty();
  }

  @Test
  void containerInAStoppedSandboxCannotBeCreated() {
    runtime.stopPodSandbox(sandbox);

    assertThat(runtime.podSandboxStatus(sandbox).orElseThrow().state()).isEqualTo(SandboxStatus.State.NOT_READY);
    assertThatThrownBy(() -> create("late", List.of("true")))
        .isInstanceOf(ContainerRuntimeException.class)
        .hasMessageContaining("is stopped");
  }

  private String create(String name, List<String> command) {
    return runtime.createContainer(sandbox, spec(name, "slipway.dev/busybox:1", command));
  }

  private ContainerSpec spec(String name, String image, List<String> command) {
    return new ContainerSpec(name, 0, image, command, List.of(), Map.of("GREETING", "hello"), base.toString(),
        List.of(), logPath(name), ContainerSpec.Resources.NONE, Map.of());
  }

  private Path logPath(String name) {
    return base.resolve("var/log/pods/default_web/" + name + "/0.log");
  }

  private String log(String name) {
    try {
      return Files.exists(logPath(name)) ? Files.readString(logPath(name)) : "";
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private boolean exited(String id) {
    return runtime.containerStatus(id).orElseThrow().state() instanceof ContainerState.Exited;
  }

  private static long recordedPid(Path record) throws IOException {
    var matcher = java.util.regex.Pattern.compile("\"pid\" : (\\d+)").matcher(Files.readString(record));
    assertThat(matcher.find()).as("pid in %s", record).isTrue();
    return Long.parseLong(matcher.group(1));
  }

  private static void touch(Path file) {
    try {
      Files.createFile(file);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private SandboxSpec sandboxSpec(String name, int attempt) {
    return new SandboxSpec(name, "default", "uid-" + name, attempt, name, Map.of("app", name), true, List.of(),
        base.resolve("var/log/pods/default_" + name));
  }
}
