package dev.slipway.e2e.workloads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.e2e.api.ClusterUnderTest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** After {@code up}: the five hosts are Nodes, all Ready, the masters keep workloads off, and each Node has its own pod range. */
@Order(20)
class NodesE2ETest {

  @RegisterExtension
  static final ClusterUnderTest cluster = new ClusterUnderTest();

  @Test
  void allFiveNodesAreReadyAndMastersAreTainted() {
    // When
    String nodes = cluster.kubectl().run("get", "nodes").stdout();
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
      String table = cluster.kubectl().run("get", "nodes").stdout();
      assertThat(table.lines().skip(1).filter(line -> line.matches("\\S+ +Ready .*")))
          .as("Ready nodes in:\n%s\nup: %s", table, cluster.upOutput()).hasSize(5);
    });
    nodes = cluster.kubectl().ok("get", "nodes");

    // Then
    assertThat(nodes.lines().map(line -> line.split(" +")[0]).skip(1))
        .containsExactlyInAnyOrder("master-1", "master-2", "master-3", "worker-1", "worker-2");
    String taints = cluster.kubectl().ok("get", "nodes", "-o",
        "jsonpath={range .items[*]}{.metadata.name}:{range .spec.taints[*]}{.key}={.effect},{end}{\"\\n\"}{end}");
    for (String master : ClusterUnderTest.MASTERS) {
      assertThat(taints).containsPattern("(?m)^" + master + ":.*node-role.kubernetes.io/control-plane=NoSchedule,");
    }
    for (String worker : ClusterUnderTest.WORKERS) {
      assertThat(taints).containsPattern("(?m)^" + worker + ":$");
    }
  }

  @Test
  void everyNodeCarriesItsOwnPodRangeFromTheClusterPodNetwork() {
    // When
    String ranges = cluster.kubectl().ok("get", "nodes", "-o",
        "jsonpath={range .items[*]}{.metadata.name}={.spec.podCIDR}={.spec.podCIDRs[0]}{\"\\n\"}{end}");

    // Then: one /24 of the inventory's 10.244.0.0/16 each, none shared
    List<String> lines = ranges.lines().toList();
    assertThat(lines).as(ranges).hasSize(5).allMatch(line -> line.matches("[a-z0-9-]+=(10\\.244\\.\\d+\\.0/24)=\\1"));
    assertThat(lines.stream().map(line -> line.split("=")[1]).distinct()).as(ranges).hasSize(5);
  }
}
