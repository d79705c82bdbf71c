package dev.slipway.e2e.workloads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.e2e.api.ClusterUnderTest;
import dev.slipway.e2e.api.Kubectl;
import dev.slipway.e2e.api.Manifests;
import java.time.Duration;
import java.util.List;

/** What the workload tests share: nodes Ready before they start, manifests applied, pods awaited. */
final class Workloads {

  static final Duration POD_START = Duration.ofMinutes(2);

  private Workloads() {
  }

  /** Fails at once, naming the nodes, when the workers cannot run pods: the workload tests would only time out. */
  static void requireReadyWorkers(ClusterUnderTest cluster) {
    var ready = cluster.kubectl().run("get", "nodes", "-o",
        "jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type==\"Ready\")].status} {end}");
    assertThat(ready.succeeded()).as("kubectl get nodes: %s\nup: %s", ready, cluster.upOutput()).isTrue();
    for (String worker : ClusterUnderTest.WORKERS) {
      assertThat(ready.stdout()).as("Node %s is not Ready, so no pod can run (kubelet and container runtime of the agent; "
          + "see /var/log/slipway/agent.log on %s). Nodes: %s\nup: %s", worker, worker, ready.stdout(), cluster.upOutput())
          .contains(worker + "=True");
    }
  }

  static void apply(Kubectl kubectl, String manifest, String namespace) {
    ClusterUnderTest.apply(kubectl, Manifests.read(manifest, namespace));
  }

  /** Waits until {@code count} pods of the selector are Running and Ready; returns them. */
  static PodTable awaitReady(Kubectl kubectl, String namespace, String selector, int count) {
    return await().atMost(POD_START).pollInterval(Duration.ofSeconds(1))
        .until(() -> PodTable.of(kubectl, namespace, selector),
            pods -> pods.live().size() == count && pods.readyCount() == count);
  }

  static List<String> nodesOf(PodTable pods) {
    return pods.nodes();
  }
}
