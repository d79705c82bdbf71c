package dev.slipway.e2e.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.e2e.Testbed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * With one master's host powered off, kubectl against another master keeps working and the
 * resourceVersions it sees only grow. Disruptive: runs after the tests that need every host.
 */
@Order(50)
class MasterDownE2ETest {

  @RegisterExtension
  static final ClusterUnderTest cluster = new ClusterUnderTest();

  private static final String DOWN = "master-2";
  private String namespace;
  private boolean nodeWasReady;

  static java.util.stream.Stream<Kubectl> kubectls() {
    return ClusterUnderTest.kubectls();
  }

  @AfterEach
  void masterBackAndReady() {
    cluster.powerOn(DOWN);
    await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
      var ready = cluster.kubectl().against(cluster.apiServer(DOWN)).run("get", "--raw", "/readyz");
      assertThat(ready.succeeded()).as("%s's API server ready again: %s", DOWN, ready).isTrue();
    });
    if (nodeWasReady) {
      await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() ->
          assertThat(nodeReady()).as("Node %s Ready again", DOWN).isEqualTo("True"));
    }
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
    namespace = cluster.newNamespace("masterdown");
    // Made with kubectl 1.32: 1.20's apply fails on its own (KubectlApiE2ETest says why).
    ClusterUnderTest.apply(cluster.kubectl(), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: counter, namespace: " + namespace
        + "}\ndata: {n: \"0\"}\n");
    long before = resourceVersion(master1);
    nodeWasReady = "True".equals(nodeReady());

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
  }

  private static String nodeReady() {
    return cluster.kubectl().run("get", "node", DOWN, "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}").stdout();
  }

  private long resourceVersion(Kubectl kubectl) {
    return Long.parseLong(kubectl.ok("get", "configmap", "counter", "-n", namespace, "-o", "jsonpath={.metadata.resourceVersion}"));
  }
}
