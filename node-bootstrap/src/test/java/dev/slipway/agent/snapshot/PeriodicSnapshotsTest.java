package dev.slipway.agent.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.agent.config.AgentConfig;
import dev.slipway.agent.config.EtcdMemberConfig;
import dev.slipway.agent.config.SnapshotSchedule;
import dev.slipway.agent.etcd.EtcdSupervisor;
import dev.slipway.agent.testing.TestMembers;
import dev.slipway.agent.testing.TestPki;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Component tests: snapshots of a real etcd member over mutual TLS. */
class PeriodicSnapshotsTest {

  @TempDir Path base;
  private EtcdSupervisor supervisor;
  private PeriodicSnapshots snapshots;

  @AfterEach
  void stop() {
    if (snapshots != null) {
      snapshots.close();
    }
    if (supervisor != null) {
      supervisor.stop(false);
    }
  }

  @Test
  void scheduleWritesVerifiableSnapshotsAndKeepsTheNewestN() throws Exception {
    AgentConfig config = startMember(new SnapshotSchedule(Duration.ofSeconds(1), 2), "127.0.0.1");
    long written;
    try (Client client = EtcdAccess.ofMember(config.etcd().orElseThrow()).connect()) {
      written = client.getKVClient().put(bytes("/registry/a"), bytes("1")).get().getHeader().getRevision();
    }
    snapshots = new PeriodicSnapshots(config);

    snapshots.start();

    await().atMost(Duration.ofSeconds(60)).until(() -> snapshots.taken() >= 3);
    List<Path> kept = new SnapshotWriter(config.paths().snapshotsDir(), "demo").list();
    assertThat(kept).hasSize(2);
    for (Path snapshot : kept) {
      SnapshotMetadata metadata = SnapshotMetadata.read(SnapshotMetadata.sidecarOf(snapshot));
      assertThat(metadata.file()).isEqualTo(snapshot.getFileName().toString()).endsWith("-r" + metadata.revision() + ".db");
      assertThat(metadata.sha256()).isEqualTo(SnapshotMetadata.sha256(snapshot));
      assertThat(metadata.size()).isEqualTo(Files.size(snapshot));
      assertThat(metadata.revision()).isGreaterThanOrEqualTo(written);
      assertThat(metadata.cluster()).isEqualTo("demo");
      assertThat(metadata.members()).extracting(SnapshotMetadata.Member::name).containsExactly("m1");
      assertThat(Files.getPosixFilePermissions(snapshot)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
      assertThat(Files.getPosixFilePermissions(snapshot)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }
    try (var files = Files.list(config.paths().snapshotsDir())) {
      assertThat(files.map(f -> f.getFileName().toString())).hasSize(4).noneMatch(name -> name.endsWith(".partial"));
    }
  }

  @Test
  void memberWithoutQuorumIsSkipped() {
    AgentConfig config = startMember(SnapshotSchedule.DEFAULT, "127.0.0.1", "127.0.0.2", "127.0.0.3");
    snapshots = new PeriodicSnapshots(config);

    PeriodicSnapshots.Outcome outcome = snapshots.runOnce();

    assertThat(outcome).isInstanceOf(PeriodicSnapshots.Outcome.Skipped.class);
    assertThat(config.paths().snapshotsDir()).doesNotExist();
  }

  @Test
  void pruneLeavesOtherClustersAlone() throws Exception {
    Path dir = base.resolve("snapshots");
    Files.createDirectories(dir);
    for (String name : List.of("demo-20260101T000000.000Z-r5.db", "demo-20260102T000000.000Z-r9.db",
        "demo-2-20250101T000000.000Z-r1.db", "notes.txt")) {
      Files.writeString(dir.resolve(name), "x");
    }

    List<Path> deleted = new SnapshotWriter(dir, "demo").prune(1);

    assertThat(deleted).containsExactly(dir.resolve("demo-20260101T000000.000Z-r5.db"));
    assertThat(dir.resolve("demo-2-20250101T000000.000Z-r1.db")).exists();
    assertThat(dir.resolve("notes.txt")).exists();
  }

  /** Starts only the first member of a cluster of the given addresses. */
  private AgentConfig startMember(SnapshotSchedule schedule, String... addresses) {
    TestPki pki = TestPki.create(base.resolve("ca"), "etcd-ca");
    AgentConfig config = TestMembers.cluster(base, pki, "demo", schedule, addresses).getFirst();
    EtcdMemberConfig member = config.etcd().orElseThrow();
    supervisor = new EtcdSupervisor(config.paths(), member);
    supervisor.start();
    if (addresses.length == 1) {
      try (Client client = EtcdAccess.ofMember(member).connect()) {
        await().atMost(Duration.ofSeconds(30)).until(() -> EtcdAccess.healthy(client, Duration.ofSeconds(2)));
      }
    }
    return config;
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }
}
