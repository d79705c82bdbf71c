package dev.slipway.provisioner.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class InventoryReaderTest {
  static final Path GOOD = Path.of("src/test/resources/dev/slipway/provisioner/inventory/good");

  @Test
  void aMinimalInventoryGetsEveryDefault() {
    // When
    var checked = InventoryReader.read(GOOD.resolve("minimal-ssh.yaml"));

    // Then
    var inv = checked.inventory();
    assertThat(inv.name()).isEqualTo("solo");
    assertThat(inv.provider()).isEqualTo(Provider.SSH);
    var host = inv.hosts().getFirst();
    assertThat(host.access()).isEqualTo(new HostAccess.Ssh("root", 22, GOOD.toAbsolutePath().resolve("id_test"),
        Path.of(System.getProperty("user.home"), ".ssh", "known_hosts"), HostKeyCheck.STRICT, Duration.ofSeconds(10)));
    assertThat(inv.network().podCidr().toString()).isEqualTo("10.244.0.0/16");
    assertThat(inv.network().serviceCidr().toString()).isEqualTo("10.96.0.0/16");
    assertThat(inv.network().clusterDomain()).isEqualTo("cluster.local");
    assertThat(inv.etcd()).isEqualTo(new EtcdSpec(new EtcdSpec.EtcdBinary.OnPath(), Duration.ofHours(6), 10));
    assertThat(inv.pki()).isEqualTo(new PkiSpec(KeyAlgorithm.ECDSA, Duration.ofHours(87600), Duration.ofHours(8760)));
    assertThat(inv.runtime()).isEqualTo(RuntimeKind.CONTAINERD);
    assertThat(inv.apiServerExtraSans()).isEmpty();
    assertThat(inv.podEvictionTimeout()).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void aMasterIsAlsoAnEtcdMember() {
    // When
    var inv = InventoryReader.read(GOOD.resolve("minimal-ssh.yaml")).inventory();

    // Then
    assertThat(inv.hosts().getFirst().roles()).containsExactlyInAnyOrder(Role.MASTER, Role.ETCD);
  }

  @Test
  void oneEtcdMemberIsAllowedWithANoteThatTheClusterIsNotHighlyAvailable() {
    // When
    var checked = InventoryReader.read(GOOD.resolve("minimal-ssh.yaml"));

    // Then
    assertThat(checked.notes()).singleElement().asString()
        .startsWith("1 etcd member (only): the cluster is not highly available");
  }

  @Test
  void everyFieldIsReadAndHostSettingsOverrideTheSshDefaults() {
    // When
    var checked = InventoryReader.read(GOOD.resolve("everything.yaml"));

    // Then
    var inv = checked.inventory();
    assertThat(checked.notes()).isEmpty();
    var home = Path.of(System.getProperty("user.home"));
    assertThat(inv.host("m1").orElseThrow().access()).isEqualTo(new HostAccess.Ssh("root", 22,
        GOOD.toAbsolutePath().resolve("id_test"), home.resolve("known"), HostKeyCheck.ACCEPT_NEW, Duration.ofSeconds(90)));
    assertThat(inv.host("m2").orElseThrow().access()).isEqualTo(new HostAccess.Ssh("admin", 2222,
        GOOD.toAbsolutePath().resolve("id_test"), home.resolve("known"), HostKeyCheck.ACCEPT_NEW, Duration.ofSeconds(90)));
    var worker = inv.host("w1").orElseThrow();
    assertThat(worker.roles()).isEqualTo(Set.of(Role.WORKER, Role.ETCD));
    assertThat(worker.labels()).isEqualTo(Map.of("slipway.dev/pool", "gpu"));
    assertThat(worker.taints()).containsExactly(new Taint("dedicated", "gpu", Taint.Effect.NoSchedule),
        new Taint("spot", "", Taint.Effect.PreferNoSchedule));
    assertThat(inv.hostsWith(Role.ETCD)).hasSize(3);
    assertThat(inv.network().podCidr().toString()).isEqualTo("10.32.0.0/12");
    assertThat(inv.network().clusterDomain()).isEqualTo("k8s.example.org");
    assertThat(inv.apiServerExtraSans()).containsExactly("api.example.org", "203.0.113.7");
    assertThat(inv.podEvictionTimeout()).isEqualTo(Duration.ofSeconds(90));
    assertThat(inv.etcd()).isEqualTo(new EtcdSpec(new EtcdSpec.EtcdBinary.OnPath(), Duration.ofMinutes(30), 3));
    assertThat(inv.pki()).isEqualTo(new PkiSpec(KeyAlgorithm.RSA, Duration.ofHours(43800), Duration.ofHours(720)));
    assertThat(inv.runtime()).isEqualTo(RuntimeKind.PROCESS);
  }

  @Test
  void localRootDirsResolveAgainstTheInventoryFolder() {
    // When
    var inv = InventoryReader.read(GOOD.resolve("local-three-masters.yaml")).inventory();

    // Then
    assertThat(inv.provider()).isEqualTo(Provider.LOCAL);
    assertThat(inv.host("master-2").orElseThrow().access())
        .isEqualTo(new HostAccess.Local(GOOD.toAbsolutePath().resolve("hosts/master-2")));
  }

  @Test
  void theRepositorysExampleInventoriesAreValid() {
    // When
    var local = InventoryReader.read(Path.of("../inventories/local.yaml")).inventory();

    // Then
    assertThat(local.hostsWith(Role.ETCD)).extracting(Host::name).containsExactly("master-1", "master-2", "master-3");
    assertThat(local.runtime()).isEqualTo(RuntimeKind.PROCESS);
  }
}
