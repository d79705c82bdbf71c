package dev.slipway.provisioner.up;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.provisioner.cluster.ClusterState;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlanEtcdMembersTest {
  @TempDir
  Path dir;

  @Test
  void aNewClusterHasEveryMemberStartNewWithTheSameListAndAFreshToken() throws IOException {
    // Given
    var inventory = TestInventories.masters(dir, "demo", "m1:127.0.94.1", "m2:127.0.94.2", "m3:127.0.94.3");

    // When
    var plan = PlanEtcdMembers.plan(ClusterState.empty("demo", ""), inventory.hosts());

    // Then
    assertThat(plan.etcdToken()).matches("demo-etcd-[0-9a-f]{12}");
    assertThat(plan.etcd()).extracting(ClusterState.EtcdMember::initialClusterState).containsOnly("new");
    assertThat(plan.etcd()).extracting(ClusterState.EtcdMember::initialCluster).containsOnly(
        "m1=https://127.0.94.1:2380,m2=https://127.0.94.2:2380,m3=https://127.0.94.3:2380");
  }

  @Test
  void knownMembersKeepTheirSettingsAndTheTokenIsKept() throws IOException {
    // Given: a running cluster whose m1 was restored into another data dir
    var inventory = TestInventories.masters(dir, "demo", "m1:127.0.94.1");
    var restored = new ClusterState.EtcdMember("m1", "127.0.94.1", "8e9e05c52164694d", "m1-20261127T101010Z",
        "m1=https://127.0.94.1:2380", "new");
    var state = ClusterState.empty("demo", "demo-etcd-abc").withEtcd(java.util.List.of(restored));

    // When
    var plan = PlanEtcdMembers.plan(state, inventory.hosts());

    // Then
    assertThat(plan.etcdToken()).isEqualTo("demo-etcd-abc");
    assertThat(plan.etcd()).containsExactly(restored);
  }

  @Test
  void hostsNewlyGivenTheEtcdRoleJoinTheRunningClusterOneAfterTheOther() throws IOException {
    // Given
    var inventory = TestInventories.masters(dir, "demo", "m1:127.0.94.1", "m2:127.0.94.2", "m3:127.0.94.3");
    var m1 = new ClusterState.EtcdMember("m1", "127.0.94.1", "1", "m1", "m1=https://127.0.94.1:2380", "new");
    var state = ClusterState.empty("demo", "demo-etcd-abc").withEtcd(java.util.List.of(m1));

    // When
    var plan = PlanEtcdMembers.plan(state, inventory.hosts());

    // Then: each joiner names the members the cluster will have when it starts
    assertThat(plan.member("m2")).hasValueSatisfying(m2 -> {
      assertThat(m2.initialClusterState()).isEqualTo("existing");
      assertThat(m2.id()).isEmpty();
      assertThat(m2.initialCluster()).isEqualTo("m1=https://127.0.94.1:2380,m2=https://127.0.94.2:2380");
    });
    assertThat(plan.member("m3")).hasValueSatisfying(m3 -> assertThat(m3.initialCluster())
        .isEqualTo("m1=https://127.0.94.1:2380,m2=https://127.0.94.2:2380,m3=https://127.0.94.3:2380"));
  }

  @Test
  void aMemberNoLongerInTheInventoryStaysListedUntilItIsRemoved() throws IOException {
    // Given
    var inventory = TestInventories.masters(dir, "demo", "m1:127.0.94.1");
    var m1 = new ClusterState.EtcdMember("m1", "127.0.94.1", "1", "m1", "m1=https://127.0.94.1:2380,m2=https://127.0.94.2:2380", "new");
    var m2 = new ClusterState.EtcdMember("m2", "127.0.94.2", "2", "m2", "m1=https://127.0.94.1:2380,m2=https://127.0.94.2:2380", "new");
    var state = ClusterState.empty("demo", "t").withEtcd(java.util.List.of(m1, m2));

    // When
    var plan = PlanEtcdMembers.plan(state, inventory.hosts());

    // Then
    assertThat(plan.etcd()).containsExactly(m1, m2);
  }
}
