package dev.slipway.e2e.workloads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.e2e.api.ClusterUnderTest;
import dev.slipway.e2e.api.Kubectl;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A Deployment on the containerd workers: spread, rolling update within maxUnavailable, undo. */
@Order(21)
class DeploymentE2ETest {

  @RegisterExtension
  static final ClusterUnderTest cluster = new ClusterUnderTest();

  private static final String WEB = "app=web";
  private final Kubectl kubectl = cluster.kubectl();
  private String namespace;

  @BeforeEach
  void workersReadyAndANamespace() {
    Workloads.requireReadyWorkers(cluster);
    namespace = cluster.newNamespace("deploy");
  }

  @AfterEach
  void deleteNamespace() {
    cluster.deleteNamespace(namespace);
  }

  @Test
  void sixReplicasRunSpreadOverBothWorkers() {
    // When
    Workloads.apply(kubectl, "web-deployment.yaml", namespace);

    // Then
    PodTable pods = Workloads.awaitReady(kubectl, namespace, WEB, 6);
    assertThat(pods.live()).hasSize(6).allSatisfy(pod -> assertThat(pod.phase()).isEqualTo("Running"));
    assertThat(pods.nodes()).as("nodes of %s", pods).containsExactly("worker-1", "worker-2");
  }

  @Test
  void aTemplateChangeRollsOutWithinMaxUnavailableAndUndoRestoresThePreviousTemplate() {
    // Given
    Workloads.apply(kubectl, "web-deployment.yaml", namespace);
    Workloads.awaitReady(kubectl, namespace, WEB, 6);
    String firstReplicaSet = kubectl.ok("get", "replicasets", "-n", namespace, "-l", WEB, "-o", "name");
    assertThat(firstReplicaSet.lines()).as("one ReplicaSet before the update").hasSize(1);

    try (PodEvents events = PodEvents.watch(kubectl, namespace, WEB)) {
      await().atMost(Duration.ofSeconds(30)).until(() -> events.events().size() >= 6);

      // When: a new template
      kubectl.ok("set", "env", "deployment/web", "-n", namespace, "VERSION=two");
      String status = kubectl.ok("rollout", "status", "deployment/web", "-n", namespace, "--timeout=180s");

      // Then: with maxUnavailable 1, never fewer than 5 of 6 ready
      assertThat(status).contains("successfully rolled out");
      assertThat(events.readyCounts().subList(5, events.readyCounts().size()))
          .as("ready pods after each event of the rollout:\n%s", events).allSatisfy(ready -> assertThat(ready).isGreaterThanOrEqualTo(5));
    }
    assertThat(kubectl.ok("get", "pods", "-n", namespace, "-l", WEB, "-o", "jsonpath={.items[*].spec.containers[0].env[0].value}"))
        .isEqualTo("two two two two two two");

    // When: undo
    kubectl.ok("rollout", "undo", "deployment/web", "-n", namespace);
    String undone = kubectl.ok("rollout", "status", "deployment/web", "-n", namespace, "--timeout=180s");

    // Then: the first template again
    assertThat(undone).contains("successfully rolled out");
    assertThat(kubectl.ok("get", "deployment", "web", "-n", namespace, "-o", "jsonpath={.spec.template.spec.containers[0].env}"))
        .doesNotContain("two");
    await().atMost(Workloads.POD_START).untilAsserted(() -> assertThat(
        kubectl.ok("get", firstReplicaSet.strip(), "-n", namespace, "-o", "jsonpath={.spec.replicas}/{.status.readyReplicas}"))
        .as("the first ReplicaSet runs all six again").isEqualTo("6/6"));
  }
}
