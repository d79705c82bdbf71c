package dev.slipway.e2e.workloads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.e2e.Testbed;
import dev.slipway.e2e.api.ClusterUnderTest;
import dev.slipway.e2e.api.Kubectl;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A worker's host powered off: its Node turns NotReady, its Deployment pods come back on the other
 * worker once the eviction timeout has passed, and no StatefulSet ordinal ever runs twice.
 * Disruptive: runs after the tests that need every host, and powers the worker back on.
 */
@Order(60)
class WorkerDownE2ETest {

  @RegisterExtension
  static final ClusterUnderTest cluster = new ClusterUnderTest();

  private static final String DOWN = "worker-1";
  private static final String OTHER = "worker-2";
  /** Node grace period (40 s) plus the shortened eviction timeout the testbed cluster is expected to run with, plus margin. */
  private static final Duration EVICTION_WAIT = Duration.ofMinutes(3);
  private final Kubectl kubectl = cluster.kubectl();
  private String namespace;

  @BeforeEach
  void workersReadyAndANamespace() {
    Workloads.requireReadyWorkers(cluster);
    namespace = cluster.newNamespace("workerdown");
  }

  @AfterEach
  void workerBackAndReady() {
    cluster.powerOn(DOWN);
    await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() ->
        assertThat(ready(DOWN)).as("Node %s Ready again", DOWN).isEqualTo("True"));
    cluster.deleteNamespace(namespace);
  }

  @Test
  void podsMoveToTheOtherWorkerAndNoOrdinalRunsTwice() {
    // Given: six replicas over both workers and a StatefulSet, watched
    Workloads.apply(kubectl, "web-deployment.yaml", namespace);
    Workloads.apply(kubectl, "statefulset.yaml", namespace);
    assertThat(Workloads.awaitReady(kubectl, namespace, "app=web", 6).nodes()).containsExactly(DOWN, OTHER);
    Workloads.awaitReady(kubectl, namespace, "app=ordered", 3);

    try (PodEvents ordinals = PodEvents.watch(kubectl, namespace, "app=ordered")) {
      // When
      cluster.testbed().power(DOWN, Testbed.Power.OFF);

      // Then: NotReady within a minute
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2))
          .untilAsserted(() -> assertThat(ready(DOWN)).as("Ready condition of %s", DOWN).isNotEqualTo("True"));

      // Then: the six replicas run on the other worker once the eviction timeout passes
      await().atMost(EVICTION_WAIT).pollInterval(Duration.ofSeconds(3)).untilAsserted(() -> {
        PodTable web = PodTable.of(kubectl, namespace, "app=web");
        assertThat(web.live().stream().filter(pod -> pod.node().equals(OTHER) && pod.ready()))
            .as("ready replicas on %s; pods now:%s\n(if the pods never left %s: the controller manager's eviction timeout, "
                + "Kubernetes' 5 min by default, must be shortened for this test from the inventory or agent config)", OTHER, web, DOWN)
            .hasSize(6);
      });

      // Then: a StatefulSet pod is never replaced while its predecessor still exists
      assertThat(ordinals.namesWithTwoLiveIncarnations()).as("%s", ordinals).isEmpty();
    }
  }

  private String ready(String node) {
    return kubectl.run("get", "node", node, "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}").stdout();
  }
}
