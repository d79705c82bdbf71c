package dev.slipway.agent.kubelet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.pki.ExtendedUsage;
import dev.slipway.pki.Kubeconfig;
import dev.slipway.pki.SubjectAltNames;
import dev.slipway.pki.TlsIdentity;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Component test: the real kubectl against a real API server on a real etcd, which proxies
 * {@code pods/log} and {@code pods/exec} (WebSocket, v5.channel.k8s.io) to a worker's real
 * kubelet API on the process runtime.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KubectlLogsAndExecComponentTest {

  private static final String NODE = "worker-1";
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Duration KUBECTL_TIMEOUT = Duration.ofSeconds(60);

  /** What a kubectl run printed. */
  record Run(int exitCode, String out, String err) {
  }

  @TempDir static Path base;
  private ClusterFixture cluster;
  private NodeServices node;
  private Path adminKubeconfig;

  @BeforeAll
  void start() throws Exception {
    cluster = ClusterFixture.start(base.resolve("cluster"));
    cluster.startCsrSigner();
    node = NodeServices.start(cluster.worker(NODE, base.resolve("worker"), List.of(cluster.servers().getFirst().url()), "process"));
    adminKubeconfig = kubeconfig("admin", TlsIdentity.load(cluster.file("admin.crt"), cluster.file("admin.key")));
    createPod("talker", List.of("main"), "echo one; echo two; exec sleep 1000", "Always");
    awaitRunning("talker");
  }

  @AfterAll
  void stop() {
    if (node != null) {
      node.kubelet().pods().forEach(p -> cluster.admin().pods().inNamespace(p.getMetadata().getNamespace())
          .withName(p.getMetadata().getName()).withGracePeriod(0).delete());
      node.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void logsShowsTheContainersOutput() {
    Run run = await().atMost(WAIT).until(() -> kubectl(null, "logs", "talker"), r -> r.exitCode() == 0 && r.out().contains("two"));

    assertThat(run.out()).isEqualTo("one\ntwo\n");
  }

  @Test
  void logsWithTailShowsOnlyTheLastLines() {
    await().atMost(WAIT).until(() -> kubectl(null, "logs", "talker"), r -> r.exitCode() == 0 && r.out().contains("two"));

    Run run = kubectl(null, "logs", "talker", "--tail=1");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).isEqualTo("two\n");
  }

  @Test
  void logsFollowStreamsUntilTheContainerEnds() {
    createPod("counter", List.of("main"), "echo first; sleep 2; echo second", "Never");
    awaitRunning("counter");

    Run run = kubectl(null, "logs", "-f", "counter");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).isEqualTo("first\nsecond\n");
  }

  @Test
  void logsPreviousShowsTheRunBeforeTheRestart() {
    createPod("crasher", List.of("main"), "echo run-$(cat /proc/self/stat | cut -d' ' -f1); sleep 1; exit 1", "Always");
    await().atMost(WAIT).until(() -> cluster.admin().pods().inNamespace("default").withName("crasher").get(),
        p -> p != null && p.getStatus() != null && p.getStatus().getContainerStatuses() != null
            && !p.getStatus().getContainerStatuses().isEmpty() && p.getStatus().getContainerStatuses().getFirst().getRestartCount() >= 1);

    Run previous = kubectl(null, "logs", "crasher", "--previous");

    assertThat(previous.exitCode()).as(previous.err()).isZero();
    assertThat(previous.out()).startsWith("run-").endsWith("\n");
  }

  @Test
  void logOfAPodWithSeveralContainersNeedsTheContainerNamed() {
    // kubectl logs picks a default container itself; the raw request shows what the API answers.
    createPod("pair", List.of("left", "right"), "echo from-$CONTAINER; exec sleep 1000", "Always");

    Run run = kubectl(null, "get", "--raw", "/api/v1/namespaces/default/pods/pair/log");

    assertThat(run.exitCode()).isNotZero();
    assertThat(run.err()).contains("a container name must be specified for pod pair, choose one of: [left, right]");
  }

  @Test
  void logsOfANamedContainerOfSeveral() {
    createPod("duo", List.of("left", "right"), "echo from-$CONTAINER; exec sleep 1000", "Always");
    awaitRunning("duo");

    Run run = await().atMost(WAIT).until(() -> kubectl(null, "logs", "duo", "-c", "right"), r -> r.exitCode() == 0 && !r.out().isEmpty());

    assertThat(run.out()).isEqualTo("from-right\n");
  }

  @Test
  void execPrintsTheCommandsOutput() {
    Run run = kubectl(null, "exec", "talker", "--", "echo", "hi");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).isEqualTo("hi\n");
  }

  @Test
  void execOfAFailingCommandExitsWithItsCode() {
    Run run = kubectl(null, "exec", "talker", "--", "sh", "-c", "echo oops >&2; exit 3");

    assertThat(run.exitCode()).isEqualTo(3);
    assertThat(run.err()).contains("oops");
  }

  @Test
  void execWithStdinPassesThePipedInputToTheCommand() {
    Run run = kubectl("line one\nline two\n", "exec", "-i", "talker", "--", "cat");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).isEqualTo("line one\nline two\n");
  }

  @Test
  void execWithATerminalRunsAnInteractiveShell() {
    // kubectl -t needs a terminal: script(1) gives it one and feeds it the test's input.
    String kubectl = "kubectl --kubeconfig " + adminKubeconfig + " --namespace default exec -it talker -- sh";
    Run run = command(List.of("script", "-qec", kubectl, "/dev/null"), "echo interactive-$((40+2))\nexit 5\n");

    assertThat(run.out()).as(run.err()).contains("interactive-42");
    assertThat(run.exitCode()).isEqualTo(5);
  }

  @Test
  void execIntoAContainerThatIsNotRunningSaysSo() {
    createPod("half", List.of("left", "right"), "if [ $CONTAINER = left ]; then exit 0; fi; exec sleep 1000", "Never");
    await().atMost(WAIT).until(() -> cluster.admin().pods().inNamespace("default").withName("half").get(),
        p -> p != null && p.getStatus() != null && p.getStatus().getContainerStatuses() != null
            && p.getStatus().getContainerStatuses().stream().anyMatch(c -> c.getName().equals("left") && c.getState().getTerminated() != null));

    Run run = kubectl(null, "exec", "half", "-c", "left", "--", "echo", "hi");

    assertThat(run.exitCode()).isNotZero();
    assertThat(run.err()).contains("container \"left\" in pod \"default/half\" is not running").doesNotContain("SPDY");
  }

  @Test
  void execIsForbiddenToAUserWhoMayNotCreatePodsExec() {
    cluster.admin().rbac().roles().inNamespace("default").resource(new RoleBuilder().withNewMetadata().withName("pod-reader").endMetadata()
        .addNewRule().withApiGroups("").withResources("pods").withVerbs("get", "list").endRule().build()).create();
    cluster.admin().rbac().roleBindings().inNamespace("default").resource(new RoleBindingBuilder().withNewMetadata().withName("stranger-reads")
        .endMetadata().withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("Role").withName("pod-reader").endRoleRef()
        .addNewSubject().withApiGroup("rbac.authorization.k8s.io").withKind("User").withName("stranger").endSubject().build()).create();
    TlsIdentity stranger = ClusterFixture.issue(cluster.ca(), "stranger", List.of(), ExtendedUsage.CLIENT_AUTH, SubjectAltNames.NONE);

    Run run = kubectlAs(kubeconfig("stranger", stranger), null, "exec", "talker", "--", "echo", "hi");

    assertThat(run.exitCode()).isNotZero();
    assertThat(run.err()).contains("forbidden").contains("cannot create resource \"pods/exec\"");
  }

  // ---- helpers

  private void createPod(String name, List<String> containers, String script, String restartPolicy) {
    PodBuilder pod = new PodBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec().withNodeName(NODE)
        .withRestartPolicy(restartPolicy).withTerminationGracePeriodSeconds(1L).endSpec();
    for (String container : containers) {
      pod.editSpec().addNewContainer().withName(container).withImage("slipway.dev/busybox:1").withCommand("sh", "-c", script)
          .addNewEnv().withName("CONTAINER").withValue(container).endEnv().endContainer().endSpec();
    }
    cluster.admin().pods().inNamespace("default").resource(pod.build()).create();
  }

  private void awaitRunning(String name) {
    await().atMost(WAIT).until(() -> cluster.admin().pods().inNamespace("default").withName(name).get(),
        (Pod p) -> p != null && p.getStatus() != null && "Running".equals(p.getStatus().getPhase()));
  }

  private Path kubeconfig(String user, TlsIdentity identity) {
    Path file = base.resolve(user + ".kubeconfig");
    Kubeconfig.of("slipway-test", cluster.servers().getFirst().url().toString(), cluster.ca().certificate(), user, identity).write(file);
    return file;
  }

  private Run kubectl(String stdin, String... arguments) {
    return kubectlAs(adminKubeconfig, stdin, arguments);
  }

  private Run kubectlAs(Path kubeconfig, String stdin, String... arguments) {
    List<String> command = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString(), "--namespace", "default"));
    command.addAll(List.of(arguments));
    return command(command, stdin);
  }

  private Run command(List<String> command, String stdin) {
    try {
      Path out = Files.createTempFile(base, "out", ".txt");
      Path err = Files.createTempFile(base, "err", ".txt");
      ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
      builder.environment().put("HOME", base.toString());
      Process process = builder.start();
      try (var in = process.getOutputStream()) {
        if (stdin != null) {
          in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
      }
      if (!process.waitFor(KUBECTL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not finish in " + KUBECTL_TIMEOUT);
      }
      return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
