package dev.slipway.e2e.workloads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.e2e.CommandOutput;
import dev.slipway.e2e.api.ClusterUnderTest;
import dev.slipway.e2e.api.Kubectl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** One pod of a Deployment on a worker: its container is restarted, the pod replaced, its logs and exec served. */
@Order(22)
class PodLifecycleE2ETest {

  @RegisterExtension
  static final ClusterUnderTest cluster = new ClusterUnderTest();

  private static final String SOLO = "app=solo";
  private final Kubectl kubectl = cluster.kubectl();
  private String namespace;
  private PodTable.Row pod;

  @BeforeEach
  void oneRunningPod() {
    Workloads.requireReadyWorkers(cluster);
    namespace = cluster.newNamespace("pod");
    Workloads.apply(kubectl, "one-pod.yaml", namespace);
    pod = Workloads.awaitReady(kubectl, namespace, SOLO, 1).only();
  }

  @AfterEach
  void deleteNamespace() {
    cluster.deleteNamespace(namespace);
  }

  @Test
  void killingTheContainersProcessRestartsIt() {
    // Given
    CommandOutput pid = cluster.testbed().exec(pod.node(), "pgrep -f 'sleep 424242'");
    assertThat(pid.succeeded()).as("the container's process on %s: %s", pod.node(), pid).isTrue();

    // When
    CommandOutput kill = cluster.testbed().exec(pod.node(), "kill -KILL " + pid.stdout().strip().replace('\n', ' '));
    assertThat(kill.succeeded()).as(kill.toString()).isTrue();

    // Then
    await().atMost(Workloads.POD_START).untilAsserted(() -> {
      PodTable.Row now = PodTable.of(kubectl, namespace, SOLO).only();
      assertThat(now.name()).isEqualTo(pod.name());
      assertThat(now.restarts()).as("restarts of %s", now).isGreaterThan(pod.restarts());
      assertThat(now.ready()).isTrue();
    });
  }

  @Test
  void deletingThePodReplacesIt() {
    // When
    kubectl.ok("delete", "pod", pod.name(), "-n", namespace, "--wait=false");

    // Then
    await().atMost(Workloads.POD_START).untilAsserted(() -> {
      PodTable.Row now = PodTable.of(kubectl, namespace, SOLO).only();
      assertThat(now.name()).isNotEqualTo(pod.name());
      assertThat(now.ready()).as("%s", now).isTrue();
    });
  }

  @Test
  void logsShowWhatTheContainerPrinted() {
    // When
    CommandOutput logs = kubectl.run("logs", pod.name(), "-n", namespace);

    // Then
    assertThat(logs.succeeded()).as("kubectl logs (the API server proxies pods/log to the kubelet on %s): %s", pod.node(), logs)
        .isTrue();
    assertThat(logs.stdout()).contains("hello from the solo pod");
  }

  @Test
  void execRunsACommandInTheContainer() {
    // When
    CommandOutput exec = kubectl.run("exec", pod.name(), "-n", namespace, "--", "sh", "-c", "echo inside $(hostname); exit 3");

    // Then
    assertThat(exec.stdout()).as("kubectl exec (the API server proxies pods/exec to the kubelet on %s): %s", pod.node(), exec)
        .contains("inside");
    assertThat(exec.exitCode()).as("the command's exit code comes back: %s", exec).isEqualTo(3);
  }
}
