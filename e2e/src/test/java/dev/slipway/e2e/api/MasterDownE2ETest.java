package dev.slipway.e2e.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.e2e.Testbed;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * With one master's host powered off, kubectl against another master keeps working and the
 * resourceVersions it sees only grow; once it is powered on again, every Node is Ready again within
 * {@link #RECOVERY} (a power-off sends no RST, so agents whose connections went to it must notice on
 * their own). Disruptive: runs after the tests that need every host.
 */
@Order(50)
class MasterDownE2ETest {

  @RegisterExtension
  static final ClusterUnderTest cluster = new ClusterUnderTest();

  private static final String DOWN = "master-2";
  /** From power-on to every Node Ready: the agent's start on the master, and a few heartbeats (10 s) on the others. */
  private static final Duration RECOVERY = Duration.ofMinutes(2);
  /** The node grace period (40 s) and a margin: the master stays off until the cluster has noticed. */
  private static final Duration NOTICED = Duration.ofSeconds(90);
  private String namespace;

  static java.util.stream.Stream<Kubectl> kubectls() {
    return ClusterUnderTest.kubectls();
  }

  @AfterEach
  void masterOnAndNamespaceGone() {
    cluster.powerOn(DOWN);
    if (namespace != null) {
      cluster.deleteNamespace(namespace);
    }
  }

  @ParameterizedTest(name = "kubectl {0}")
  @MethodSource("kubectls")
  void kubectlAgainstAnotherMasterKeepsWorkingAndResourceVersionsStayMonotonic(Kubectl any) {
    // Given
    Kubectl master1 = any.against(cluster.apiServer("master-1"));
    Kubectl master3 = any.against(cluster.apiServer("master-3"));
    cluster.awaitHealthy(RECOVERY, "the cluster before " + DOWN + " is powered off");
    namespace = cluster.newNamespace("masterdown");
    // Made with kubectl 1.32: 1.20's apply fails on its own (KubectlApiE2ETest says why).
    ClusterUnderTest.apply(cluster.kubectl(), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: counter, namespace: " + namespace
        + "}\ndata: {n: \"0\"}\n");
    long before = resourceVersion(master1);

    // When
    cluster.testbed().power(DOWN, Testbed.Power.OFF);

    // Then: writes through master-1 and reads through master-3 go on, each version above the last
    List<Long> versions = new ArrayList<>(List.of(before));
    for (int n = 1; n <= 5; n++) {
      String patch = "{\"data\":{\"n\":\"" + n + "\"}}";
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
        var write = master1.run("patch", "configmap", "counter", "-n", namespace, "--type=merge", "-p", patch);
        assertThat(write.succeeded()).as(write.toString()).isTrue();
      });
      versions.add(resourceVersion(master1));
      versions.add(resourceVersion(master3));
    }
    assertThat(versions).as("resourceVersions seen in order through master-1 and master-3").isSorted();
    assertThat(versions.getLast()).isGreaterThan(before);
    assertThat(master3.ok("get", "configmap", "counter", "-n", namespace, "-o", "jsonpath={.data.n}")).isEqualTo("5");
    assertThat(master1.ok("get", "namespaces", "-o", "name")).contains("namespace/" + namespace);

    // Then: its Node turns NotReady, so the connections that went to it have hung for a grace period
    await().atMost(NOTICED).pollInterval(Duration.ofSeconds(2))
        .untilAsserted(() -> assertThat(nodeReady(master3, DOWN)).as("Ready condition of %s while it is off", DOWN).isNotEqualTo("True"));

    // When: it is powered on again
    Instant on = Instant.now();
    cluster.powerOn(DOWN);

    // Then: every Node is Ready again and every API server ready, the workers' included
    cluster.awaitHealthy(RECOVERY, DOWN + " powered on again");

    // Then: every node renews its Lease after the power-on, and every kubelet hears of a pod bound to it
    await().atMost(RECOVERY).pollInterval(Duration.ofSeconds(2)).untilAsserted(() ->
        assertThat(leasesRenewedAfter(on)).as("Nodes whose Lease was renewed after %s's power-on at %s", DOWN, on)
            .containsExactlyInAnyOrderElementsOf(ClusterUnderTest.NODES));
    for (String node : ClusterUnderTest.NODES) {
      ClusterUnderTest.apply(cluster.kubectl(), pinnedPod(node));
    }
    await().atMost(RECOVERY).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
      for (String node : ClusterUnderTest.NODES) {
        assertThat(cluster.kubectl().run("get", "pod", "heard-" + node, "-n", namespace, "-o", "jsonpath={.status.phase}").stdout())
            .as("phase of the pod bound to %s after %s's power-on", node, DOWN).isEqualTo("Running");
      }
    });
  }

  private static String nodeReady(Kubectl kubectl, String node) {
    return kubectl.run("get", "node", node, "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}").stdout();
  }

  private static List<String> leasesRenewedAfter(Instant instant) {
    String leases = cluster.kubectl().ok("get", "leases", "-n", "kube-node-lease", "-o",
        "jsonpath={range .items[*]}{.metadata.name}={.spec.renewTime} {end}");
    return Stream.of(leases.trim().split("\\s+")).map(entry -> entry.split("=", 2)).filter(pair -> pair.length == 2 && !pair[1].isEmpty())
        .filter(pair -> Instant.parse(pair[1]).isAfter(instant)).map(pair -> pair[0]).toList();
  }

  /** A pod bound to {@code node} by name, tolerating the masters' taints: only that node's kubelet can start it. */
  private String pinnedPod(String node) {
    return "apiVersion: v1\nkind: Pod\nmetadata: {name: heard-" + node + ", namespace: " + namespace + "}\n"
        + "spec:\n  nodeName: " + node + "\n  terminationGracePeriodSeconds: 1\n  tolerations: [{operator: Exists}]\n"
        + "  containers:\n  - {name: main, image: \"slipway.dev/busybox:1\", command: [sh, -c, 'exec sleep 424243']}\n";
  }

  private long resourceVersion(Kubectl kubectl) {
    return Long.parseLong(kubectl.ok("get", "configmap", "counter", "-n", namespace, "-o", "jsonpath={.metadata.resourceVersion}"));
  }
}
