package dev.slipway.e2e.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.e2e.CommandOutput;
import dev.slipway.e2e.api.ClusterUnderTest;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code slipway up -i inventories/testbed.yaml} on the five testbed hosts over real OpenSSH: every
 * master and worker becomes a Ready Node on containerd, the masters tainted, and a second run
 * changes nothing. The cluster is the run's shared one ({@link ClusterUnderTest}), which the API and
 * workload tests use too.
 */
// Before the disruptive classes and before the etcd tests, which wipe the hosts for a cluster of their own.
@Order(30)
class ClusterUpE2ETest {
  @RegisterExtension
  static final ClusterUnderTest cluster = new ClusterUnderTest();

  private static final String NODES = "jsonpath={range .items[*]}{.metadata.name}|"
      + "{.status.conditions[?(@.type==\"Ready\")].status}|{.spec.taints[*].key}|{.status.nodeInfo.containerRuntimeVersion}{\"\\n\"}{end}";

  @Test
  void upMakesFiveReadyNodesOnContainerdWithTheMastersTainted() throws java.io.IOException {
    // Given: the run's cluster, brought up once
    CommandOutput up = cluster.upOutput();
    assertThat(up.exitCode()).as(up.toString()).isZero();
    // The figure for reports (never asserted): how long up took from the wiped testbed.
    up.stdout().lines().filter(line -> line.startsWith("All ") && line.contains(" phases done in ")).forEach(System.out::println);

    // When
    Map<String, String[]> nodes = cluster.kubectl().ok("get", "nodes", "-o", NODES).lines()
        .map(line -> line.split("\\|", -1)).collect(Collectors.toMap(f -> f[0], Function.identity()));

    // Then: on the inventory's runtime (containerd in inventories/testbed.yaml; -Dslipway.e2e.inventory may say process)
    String runtime = java.nio.file.Files.readString(cluster.inventory()).contains("kind: process") ? "process://" : "containerd://";
    assertThat(nodes).as(up.toString()).containsOnlyKeys("master-1", "master-2", "master-3", "worker-1", "worker-2");
    nodes.forEach((name, fields) -> {
      assertThat(fields[1]).as("%s Ready", name).isEqualTo("True");
      assertThat(fields[3]).as("%s runtime", name).startsWith(runtime);
      List<String> taints = Arrays.asList(fields[2].split(" "));
      if (ClusterUnderTest.MASTERS.contains(name)) {
        assertThat(taints).as("%s taints", name).contains("node-role.kubernetes.io/control-plane");
      } else {
        assertThat(taints).as("%s taints", name).doesNotContain("node-role.kubernetes.io/control-plane");
      }
    });
  }

  @Test
  void kubectlGetNodesShowsTheRolesOfTheInventory() {
    // When
    String table = cluster.kubectl().ok("get", "nodes", "--no-headers");

    // Then
    assertThat(table.lines().filter(l -> l.matches("master-\\d +Ready +control-plane.*"))).hasSize(3);
    assertThat(table.lines().filter(l -> l.matches("worker-\\d +Ready +worker.*"))).hasSize(2);
  }

  @Test
  void aSecondUpChangesNothingAndSaysUnchanged() {
    // When
    CommandOutput again = cluster.testbed().slipway("up", "-i", cluster.inventory().toString(),
        "--cluster-dir", cluster.clusterDir().toString());

    // Then
    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(again.stdout()).as(again.toString()).contains("nodes: 5 of 5 Ready", "is unchanged")
        .containsPattern("(?m)^worker-2 +unchanged +-$").containsPattern("(?m)^master-1 +unchanged +-$");
  }
}
