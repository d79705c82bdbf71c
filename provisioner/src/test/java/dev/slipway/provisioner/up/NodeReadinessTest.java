package dev.slipway.provisioner.up;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.provisioner.inventory.Host;
import dev.slipway.provisioner.inventory.HostAccess;
import dev.slipway.provisioner.inventory.Role;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What up decides about nodes from the inventory and from the API: taints, readiness, the bootstrap token Secret. */
class NodeReadinessTest {

  private static Node node(String name, String ready, String reason) {
    return new NodeBuilder().withNewMetadata().withName(name).endMetadata().withNewStatus().addNewCondition()
        .withType("Ready").withStatus(ready).withReason(reason).endCondition().endStatus().build();
  }

  private static Host host(String name, Set<Role> roles) {
    return new Host(name, "127.0.0.1", roles, Map.of(), List.of(), new HostAccess.Local(Path.of("/tmp/" + name)));
  }

  @Test
  void notReadyNamesMissingAndNotReadyNodesInInventoryOrder() {
    // Given
    var nodes = List.of(node("m1", "True", "KubeletReady"), node("w1", "False", "KubeletNotReady"));

    // When
    var notReady = WaitForNodes.notReady(List.of("m1", "m2", "w1"), nodes);

    // Then
    assertThat(notReady).containsExactly(Map.entry("m2", "not registered"), Map.entry("w1", "Ready=False (KubeletNotReady)"));
  }

  @Test
  void allReadyMeansNothingToWaitFor() {
    assertThat(WaitForNodes.notReady(List.of("m1"), List.of(node("m1", "True", null)))).isEmpty();
  }

  @Test
  void aMasterThatIsNotAWorkerIsTaintedControlPlaneNoSchedule() {
    assertThat(NodeSections.taints(host("m1", Set.of(Role.MASTER, Role.ETCD))))
        .containsExactly("node-role.kubernetes.io/control-plane:NoSchedule");
  }

  @Test
  void aMasterThatIsAlsoAWorkerAndAWorkerAreNotTainted() {
    assertThat(NodeSections.taints(host("m1", Set.of(Role.MASTER, Role.ETCD, Role.WORKER)))).isEmpty();
    assertThat(NodeSections.taints(host("w1", Set.of(Role.WORKER)))).isEmpty();
  }

  @Test
  void anEtcdOnlyHostRunsNoKubelet() {
    assertThat(NodeSections.runsKubelet(host("e1", Set.of(Role.ETCD)))).isFalse();
    assertThat(NodeSections.runsKubelet(host("w1", Set.of(Role.WORKER)))).isTrue();
  }

  @Test
  void theBootstrapTokenSecretHasKubernetesNameTypeAndADayOfValidity() {
    // Given
    var clock = Clock.fixed(Instant.parse("2026-01-02T03:04:05.678Z"), ZoneOffset.UTC);

    // When
    var secret = CreateBootstrapToken.secret(new ClusterSecrets.BootstrapToken("abcdef", "0123456789abcdef"), clock);

    // Then
    assertThat(secret.getMetadata().getNamespace()).isEqualTo("kube-system");
    assertThat(secret.getMetadata().getName()).isEqualTo("bootstrap-token-abcdef");
    assertThat(secret.getType()).isEqualTo("bootstrap.kubernetes.io/token");
    assertThat(secret.getStringData()).containsEntry("token-id", "abcdef").containsEntry("token-secret", "0123456789abcdef")
        .containsEntry("usage-bootstrap-authentication", "true").containsEntry("expiration", "2026-01-03T03:04:05Z");
    assertThat(secret.getStringData().get("auth-extra-groups")).startsWith("system:bootstrappers:");
  }
}
