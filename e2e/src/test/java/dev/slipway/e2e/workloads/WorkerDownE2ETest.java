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
 * worker once the eviction timeout (shortened for the test in the masters' agent.yaml,
 * {@code apiServer.podEvictionTimeout}) has passed, and no StatefulSet ordinal ever runs twice.
 * Disruptive: runs after the tests that need every host, and powers the worker back on.
 */
@Order(60)
class WorkerDownE2ETest {

  @RegisterExtension
  static final ClusterUnderTest cluster = new ClusterUnderTest();

  private static final String DOWN = "worker-1";
  private static final String OTHER = "worker-2";
  /** The test's eviction timeout (Kubernetes' is 5 min), set in the masters' agent.yaml for this test only. */
  private static final String EVICTION_TIMEOUT = "20s";
  /** Node grace period (40 s) plus the eviction timeout, plus margin for the replacements to start. */
  private static final Duration EVICTION_WAIT = Duration.ofSeconds(40 + 20 + 60);
  /** The earlier disruptive tests prove their own recovery; this is only the margin for the masters' agent restarts above. */
  private static final Duration HEALTHY_WAIT = Duration.ofMinutes(2);
  private static final String AGENT_YAML = "/etc/slipway/agent.yaml";
  private final Kubectl kubectl = cluster.kubectl();
  private String namespace;
  private boolean poweredOff;
  private final java.util.List<String> shortened = new java.util.ArrayList<>();

  @BeforeEach
  void healthyClusterShortEvictionAndANamespace() {
    for (String master : ClusterUnderTest.MASTERS) {
      shortened.add(master);
      restartAgent(master, "cp -p " + AGENT_YAML + " " + AGENT_YAML + ".e2e-saved"
          + " && if grep -q '^  podEvictionTimeout:' " + AGENT_YAML
          + "; then sed -i 's/^  podEvictionTimeout:.*/  podEvictionTimeout: " + EVICTION_TIMEOUT + "/' " + AGENT_YAML
          + "; else sed -i '/^apiServer:/a\\  podEvictionTimeout: " + EVICTION_TIMEOUT + "' " + AGENT_YAML + "; fi");
    }
    cluster.awaitHealthy(HEALTHY_WAIT, "the cluster before " + DOWN + " is powered off (masters' agents restarted with a short eviction)");
    namespace = cluster.newNamespace("workerdown");
  }

  @AfterEach
  void workerBackAndReadyAndEvictionAsBefore() {
    if (poweredOff) {
      cluster.powerOn(DOWN);
      await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() ->
          assertThat(ready(DOWN)).as("Node %s Ready again", DOWN).isEqualTo("True"));
    }
    if (namespace != null) {
      cluster.deleteNamespace(namespace);
    }
    for (String master : shortened) {
      restartAgent(master, "if [ -f " + AGENT_YAML + ".e2e-saved ]; then mv " + AGENT_YAML + ".e2e-saved " + AGENT_YAML + "; fi");
    }
  }

  /** Changes a master's agent.yaml and restarts its agent, one master at a time so that etcd keeps its quorum. */
  private void restartAgent(String master, String change) {
    var restart = cluster.testbed().exec(master, change
        + " && /opt/slipway/bin/slipway-agent stop --root / && /opt/slipway/bin/slipway-agent daemon --root /");
    assertThat(restart.succeeded()).as("agent.yaml changed and agent restarted on %s: %s", master, restart).isTrue();
    await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(
        cluster.kubectl().against(cluster.apiServer(master)).run("get", "--raw", "/readyz").succeeded())
        .as("API server of %s ready after the agent's restart", master).isTrue());
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
      poweredOff = true;
      cluster.testbed().power(DOWN, Testbed.Power.OFF);

      // Then: NotReady within a minute
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2))
          .untilAsserted(() -> assertThat(ready(DOWN)).as("Ready condition of %s", DOWN).isNotEqualTo("True"));

      // Then: the six replicas run on the other worker once the eviction timeout passes
      await().atMost(EVICTION_WAIT).pollInterval(Duration.ofSeconds(3)).untilAsserted(() -> {
        PodTable web = PodTable.of(kubectl, namespace, "app=web");
        assertThat(web.live().stream().filter(pod -> pod.node().equals(OTHER) && pod.ready()))
            .as("ready replicas on %s (eviction timeout %s); pods now:%s", OTHER, EVICTION_TIMEOUT, web)
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
