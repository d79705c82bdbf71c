package dev.slipway.provisioner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.agent.snapshot.EtcdAccess;
import dev.slipway.provisioner.cluster.ClusterDirectory;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.cluster.Member;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * etcd membership changes through {@code slipway up} on the local provider (127.0.97.1-3, real etcd,
 * real agent): one member grows to three by MemberAdd, and shrinking is refused while the members
 * that would remain could not keep a quorum.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalEtcdMembershipComponentTest {
  private static final List<String> HOSTS = List.of("m1", "m2", "m3");
  private Path dir;
  private Path clusterDir;

  @BeforeAll
  void agentJar() throws Exception {
    LocalAgents.assumeAgentAndEtcd();
    dir = Files.createTempDirectory("slipway-membership-test");
    clusterDir = dir.resolve("cluster");
  }

  @AfterAll
  void stopAgents() throws Exception {
    if (dir != null) { // null when the class was skipped
      LocalAgents.stop(dir.resolve("hosts"), HOSTS);
    }
  }

  private Path inventory(int members) throws IOException {
    var yaml = new StringBuilder("""
        apiVersion: slipway.dev/v1
        kind: Cluster
        metadata:
          name: grow
        spec:
          provider: local
          etcd:
            binary: /usr/bin/etcd
          runtime:
            kind: process
          hosts:
        """);
    for (int i = 1; i <= 3; i++) {
      // New members sit on workers: a new master would need an API server certificate with its name (rotation).
      var roles = i == 1 ? "[master, etcd]" : i <= members ? "[worker, etcd]" : "[worker]";
      yaml.append("    - {name: m%d, address: 127.0.97.%d, roles: %s, rootDir: hosts/m%d}\n".formatted(i, i, roles, i));
    }
    return Files.writeString(dir.resolve("grow-" + members + ".yaml"), yaml);
  }

  private CliRun up(int members) throws IOException {
    return CliRun.of("up", "-i", inventory(members).toString(), "--cluster-dir", clusterDir.toString());
  }

  @Test
  @Order(1)
  void oneMemberComesUpAlone() throws Exception {
    var run = up(1);

    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    assertThat(members()).extracting(Member::getName).containsExactly("m1");
  }

  @Test
  @Order(2)
  void hostsNewlyGivenTheEtcdRoleAreAddedAndJoinTheRunningCluster() throws Exception {
    var run = up(3);

    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    assertThat(run.out()).contains("etcd member m2 joined", "etcd member m3 joined")
        .containsPattern("(?m)^m2 +changed +.*joined etcd as member");
    assertThat(members()).extracting(Member::getName).containsExactlyInAnyOrder("m1", "m2", "m3");
    assertThat(ClusterDirectory.open(clusterDir).readState().orElseThrow().etcd())
        .allSatisfy(m -> assertThat(m.id()).isNotEmpty());
  }

  @Test
  @Order(3)
  void removingMembersIsRefusedWhenTheRemainingOnesCouldNotKeepAQuorum() throws Exception {
    // Given: m3's agent and etcd are down
    var root = dir.resolve("hosts/m3");
    new ProcessBuilder(root.resolve("opt/slipway/bin/slipway-agent").toString(), "stop", "--root", root.toString())
        .start().waitFor(60, TimeUnit.SECONDS);

    // When: the inventory keeps only m1 as etcd member, so m2 would go first, leaving m1 and the dead m3
    var run = up(1);

    // Then
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).contains("Stopped at phase \"Plan etcd members\"", "refusing to remove etcd member m2",
        "only 1 are healthy", "need 2 for a quorum");
    assertThat(members()).hasSize(3);
    // Nothing was shipped: m2 keeps its etcd configuration
    assertThat(Files.readString(dir.resolve("hosts/m2/etc/slipway/agent.yaml"))).contains("initialCluster:");
  }

  private List<Member> members() throws Exception {
    try (Client client = new EtcdAccess(List.of(URI.create("https://127.0.97.1:2379")),
        clusterDir.resolve("pki/etcd/ca.crt"), clusterDir.resolve("pki/apiserver-etcd-client.crt"),
        clusterDir.resolve("pki/apiserver-etcd-client.key")).connect()) {
      return client.getClusterClient().listMember().get(10, TimeUnit.SECONDS).getMembers();
    }
  }

}
