package dev.slipway.agent.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.slipway.agent.config.AgentConfig;
import dev.slipway.agent.config.EtcdMemberConfig;
import dev.slipway.agent.config.SnapshotSchedule;
import dev.slipway.agent.snapshot.EtcdAccess;
import dev.slipway.agent.snapshot.SnapshotException;
import dev.slipway.agent.snapshot.SnapshotMetadata;
import dev.slipway.agent.snapshot.SnapshotWriter;
import dev.slipway.agent.testing.TestMembers;
import dev.slipway.agent.testing.TestPki;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Component tests: a real etcd member is snapshotted, stopped, and restored with the real etcdctl. */
class EtcdRestoreTest {

  @TempDir Path base;
  private AgentConfig config;
  private EtcdMemberConfig member;
  private EtcdSupervisor supervisor;
  private Path snapshot;

  @BeforeEach
  void memberWithASnapshotThenMoreWrites() throws Exception {
    TestPki pki = TestPki.create(base.resolve("ca"), "etcd-ca");
    config = TestMembers.cluster(base, pki, "demo", SnapshotSchedule.DEFAULT, "127.0.0.1").getFirst();
    config.write(config.paths().configFile());
    member = config.etcd().orElseThrow();
    supervisor = new EtcdSupervisor(config.paths(), member);
    supervisor.start();
    try (Client client = EtcdAccess.ofMember(member).connect()) {
      await().atMost(Duration.ofSeconds(30)).until(() -> EtcdAccess.healthy(client, Duration.ofSeconds(2)));
      client.getKVClient().put(bytes("/registry/before"), bytes("kept")).get();
      snapshot = config.paths().snapshotsDir().resolve(new SnapshotWriter(config.paths().snapshotsDir(), "demo").save(client).file());
      client.getKVClient().put(bytes("/registry/after"), bytes("lost")).get();
    }
  }

  @AfterEach
  void stop() {
    supervisor.stop(false);
  }

  @Test
  void restoredMemberServesTheKeysOfTheSnapshot() throws Exception {
    supervisor.stop(false);

    EtcdRestore.Restored restored = new EtcdRestore(config.paths()).restore(request(new EtcdRestore.Check.Sidecar()));

    AgentConfig after = AgentConfig.read(config.paths().configFile());
    EtcdMemberConfig restoredMember = after.etcd().orElseThrow();
    assertThat(restoredMember.initialClusterToken()).isEqualTo("demo-restored");
    assertThat(config.paths().etcdDataDir(restoredMember.dataDirName())).isEqualTo(restored.dataDir());
    supervisor = new EtcdSupervisor(after.paths(), restoredMember);
    supervisor.start();
    try (Client client = EtcdAccess.ofMember(restoredMember).connect()) {
      await().atMost(Duration.ofSeconds(30)).until(() -> EtcdAccess.healthy(client, Duration.ofSeconds(2)));
      assertThat(client.getKVClient().get(bytes("/registry/before")).get().getKvs()).hasSize(1);
      assertThat(client.getKVClient().get(bytes("/registry/after")).get().getKvs()).isEmpty();
    }
  }

  @Test
  void previousDataDirIsSetAsideNotDeleted() {
    supervisor.stop(false);
    Path oldDataDir = config.paths().etcdDataDir(member.dataDirName());

    EtcdRestore.Restored restored = new EtcdRestore(config.paths()).restore(request(new EtcdRestore.Check.Sidecar()));

    assertThat(oldDataDir).doesNotExist();
    assertThat(restored.setAside()).hasValueSatisfying(aside -> {
      assertThat(aside.getFileName().toString()).startsWith(member.dataDirName() + ".before-restore-");
      assertThat(aside.resolve("member/snap/db")).exists();
    });
  }

  @Test
  void damagedSnapshotIsRefusedAndNothingChanges() throws Exception {
    supervisor.stop(false);
    byte[] bytes = Files.readAllBytes(snapshot);
    bytes[bytes.length / 2] ^= 0x5a;
    Files.write(snapshot, bytes);
    String configBefore = Files.readString(config.paths().configFile());

    assertThatThrownBy(() -> new EtcdRestore(config.paths()).restore(request(new EtcdRestore.Check.Sidecar())))
        .isInstanceOf(SnapshotException.class)
        .hasMessageContaining(snapshot.toString())
        .hasMessageContaining("sha256");

    assertThat(Files.readString(config.paths().configFile())).isEqualTo(configBefore);
    try (var dirs = Files.list(config.paths().etcdDataParent())) {
      assertThat(dirs.map(d -> d.getFileName().toString())).containsExactly(member.dataDirName());
    }
  }

  @Test
  void givenDigestThatDiffersIsRefused() {
    supervisor.stop(false);

    assertThatThrownBy(() -> new EtcdRestore(config.paths()).restore(request(new EtcdRestore.Check.Digest("00".repeat(32)))))
        .isInstanceOf(SnapshotException.class)
        .hasMessageContaining("was expected");
  }

  @Test
  void restoreIsRefusedWhileEtcdRuns() throws Exception {
    String configBefore = Files.readString(config.paths().configFile());

    assertThatThrownBy(() -> new EtcdRestore(config.paths()).restore(request(new EtcdRestore.Check.Sidecar())))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("stop it first");
    assertThat(Files.readString(config.paths().configFile())).isEqualTo(configBefore);
    assertThat(SnapshotMetadata.sidecarOf(snapshot)).exists();
  }

  private EtcdRestore.Request request(EtcdRestore.Check check) {
    return new EtcdRestore.Request(snapshot, check, member.name(), member.name() + "=" + member.peerUrl(), "demo-restored");
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }
}
