package dev.slipway.agent.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.agent.config.AgentConfig;
import dev.slipway.agent.config.SnapshotSchedule;
import dev.slipway.agent.snapshot.EtcdAccess;
import dev.slipway.agent.testing.TestMembers;
import dev.slipway.agent.testing.TestPki;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.cluster.Member;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Component test: three supervised members on 127.0.0.1, 127.0.0.2 and 127.0.0.3 form one cluster over mutual TLS. */
class EtcdClusterTest {

  @TempDir Path base;
  private final List<EtcdSupervisor> supervisors = new ArrayList<>();

  @AfterEach
  void stopAll() {
    supervisors.forEach(s -> s.stop(false));
  }

  @Test
  void threeMembersFormQuorumAndReplicateWrites() throws Exception {
    TestPki pki = TestPki.create(base.resolve("ca"), "etcd-ca");
    List<AgentConfig> configs = TestMembers.cluster(base, pki, "demo", SnapshotSchedule.DEFAULT, "127.0.0.1", "127.0.0.2", "127.0.0.3");

    for (AgentConfig config : configs) {
      EtcdSupervisor supervisor = new EtcdSupervisor(config.paths(), config.etcd().orElseThrow());
      supervisors.add(supervisor);
      supervisor.start();
    }

    EtcdAccess first = EtcdAccess.ofMember(configs.get(0).etcd().orElseThrow());
    EtcdAccess third = EtcdAccess.ofMember(configs.get(2).etcd().orElseThrow());
    try (Client one = first.connect(); Client three = third.connect()) {
      await().atMost(Duration.ofSeconds(60)).until(() -> EtcdAccess.healthy(one, Duration.ofSeconds(2)));
      List<Member> members = one.getClusterClient().listMember().get().getMembers();
      assertThat(members).extracting(Member::getName).containsExactlyInAnyOrder("m1", "m2", "m3");
      assertThat(members).flatExtracting(Member::getPeerURIs).extracting(URI::getHost)
          .containsExactlyInAnyOrder("127.0.0.1", "127.0.0.2", "127.0.0.3");

      one.getKVClient().put(bytes("/registry/x"), bytes("replicated")).get();

      await().atMost(Duration.ofSeconds(30)).until(() -> three.getKVClient().get(bytes("/registry/x")).get().getKvs().size() == 1);
    }
  }

  @Test
  void clusterKeepsQuorumWhenOneMemberStops() throws Exception {
    TestPki pki = TestPki.create(base.resolve("ca"), "etcd-ca");
    List<AgentConfig> configs = TestMembers.cluster(base, pki, "demo", SnapshotSchedule.DEFAULT, "127.0.0.1", "127.0.0.2", "127.0.0.3");
    for (AgentConfig config : configs) {
      EtcdSupervisor supervisor = new EtcdSupervisor(config.paths(), config.etcd().orElseThrow());
      supervisors.add(supervisor);
      supervisor.start();
    }
    try (Client one = EtcdAccess.ofMember(configs.get(0).etcd().orElseThrow()).connect()) {
      await().atMost(Duration.ofSeconds(60)).until(() -> EtcdAccess.healthy(one, Duration.ofSeconds(2)));

      supervisors.get(2).stop(false);

      assertThat(EtcdAccess.healthy(one, Duration.ofSeconds(10))).isTrue();
      one.getKVClient().put(bytes("/registry/y"), bytes("still writable")).get();
    }
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }
}
