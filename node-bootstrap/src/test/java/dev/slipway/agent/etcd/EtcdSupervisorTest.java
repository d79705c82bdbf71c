package dev.slipway.agent.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.slipway.agent.config.AgentConfig;
import dev.slipway.agent.config.EtcdMemberConfig;
import dev.slipway.agent.config.SnapshotSchedule;
import dev.slipway.agent.process.PidFile;
import dev.slipway.agent.snapshot.EtcdAccess;
import dev.slipway.agent.testing.TestMembers;
import dev.slipway.agent.testing.TestPki;
import dev.slipway.controlplane.storage.EtcdTuning;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Component tests: the supervisor runs the real /usr/bin/etcd with real certificates on 127.0.0.1. */
class EtcdSupervisorTest {

  private static final Duration HEALTH = Duration.ofSeconds(2);

  @TempDir Path base;
  private TestPki pki;
  private AgentConfig config;
  private EtcdMemberConfig member;
  private EtcdSupervisor supervisor;

  @BeforeEach
  void oneMember() {
    pki = TestPki.create(base.resolve("ca"), "etcd-ca");
    config = TestMembers.cluster(base, pki, "demo", SnapshotSchedule.DEFAULT, "127.0.0.1").getFirst();
    member = config.etcd().orElseThrow();
    supervisor = new EtcdSupervisor(config.paths(), member, new RestartBackoff(Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ofSeconds(60)));
  }

  @AfterEach
  void stopEtcd() {
    supervisor.stop(false);
    new PidFile(config.paths().etcdPidFile()).liveProcess().ifPresent(EtcdSupervisor::terminate);
  }

  @Test
  void startedMemberServesClientsWithCertificatesOfItsCa() throws Exception {
    supervisor.start();

    try (Client client = EtcdAccess.ofMember(member).connect()) {
      await().atMost(Duration.ofSeconds(30)).until(() -> EtcdAccess.healthy(client, HEALTH));
      client.getKVClient().put(bytes("/k"), bytes("v")).get();
      assertThat(client.getKVClient().get(bytes("/k")).get().getKvs().getFirst().getValue().toString(StandardCharsets.UTF_8)).isEqualTo("v");
    }
  }

  @Test
  void startedMemberWritesItsPidAndKeepsItsDataDirPrivate() throws Exception {
    supervisor.start();

    long pid = supervisor.process().orElseThrow().pid();
    assertThat(new PidFile(config.paths().etcdPidFile()).pid()).contains(pid);
    assertThat(Files.getPosixFilePermissions(config.paths().etcdDataDir(member.dataDirName())))
        .isEqualTo(PosixFilePermissions.fromString("rwx------"));
  }

  @Test
  void startedMemberRunsWithTheGarbageCollectorSettings() throws Exception {
    supervisor.start();

    Path environ = Path.of("/proc", Long.toString(supervisor.process().orElseThrow().pid()), "environ");
    // Read once setsid has become etcd: until its exec the process may show no environment yet.
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(List.of(Files.readString(environ).split("\0")))
        .contains("GOGC=400", "GOMEMLIMIT=" + EtcdTuning.environment().get("GOMEMLIMIT")));
  }

  @Test
  void plainHttpIsRefused() throws Exception {
    supervisor.start();
    awaitHealthy();
    URI plain = URI.create("http://" + member.clientUrl().getHost() + ":" + member.clientUrl().getPort() + "/v3/kv/range");

    HttpRequest request = HttpRequest.newBuilder(plain).POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"L2s=\"}")).build();

    // etcd's TLS listener closes a plain-HTTP connection without answering.
    assertThatThrownBy(() -> HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(IOException.class);
  }

  @Test
  void clientCertificateFromAnotherCaIsRefused() {
    supervisor.start();
    awaitHealthy();
    TestPki rogue = TestPki.create(base.resolve("rogue-ca"), "rogue-ca");
    TestPki.Leaf intruder = rogue.issue("intruder");

    try (Client client = new EtcdAccess(List.of(member.clientUrl()), member.tls().caCert(), intruder.cert(), intruder.key()).connect()) {
      assertThat(EtcdAccess.healthy(client, Duration.ofSeconds(3))).isFalse();
    }
  }

  @Test
  void killedEtcdIsStartedAgain() {
    supervisor.start();
    ProcessHandle first = supervisor.process().orElseThrow();

    first.destroyForcibly();

    await().atMost(Duration.ofSeconds(30)).until(() -> supervisor.process().filter(p -> p.pid() != first.pid()).isPresent());
    assertThat(supervisor.launches()).isEqualTo(2);
    awaitHealthy();
  }

  @Test
  void newSupervisorAdoptsTheRunningEtcdInsteadOfStartingAnother() {
    supervisor.start();
    awaitHealthy();
    long pid = supervisor.process().orElseThrow().pid();
    supervisor.stop(true);

    supervisor = new EtcdSupervisor(config.paths(), member);
    supervisor.start();

    assertThat(supervisor.process().orElseThrow().pid()).isEqualTo(pid);
    assertThat(supervisor.launches()).isZero();
    awaitHealthy();
  }

  @Test
  void etcdOfAnotherDataDirIsNotAdopted() {
    supervisor.start();
    long pid = supervisor.process().orElseThrow().pid();
    supervisor.stop(true);
    EtcdMemberConfig elsewhere = member.withRestore(member.name(), "other", member.initialCluster(), member.initialClusterToken());

    assertThat(EtcdSupervisor.adoptable(config.paths(), elsewhere)).isEmpty();
    assertThat(EtcdSupervisor.adoptable(config.paths(), member)).map(ProcessHandle::pid).contains(pid);
  }

  @Test
  void stopEndsEtcdAndRemovesThePidFile() {
    supervisor.start();
    ProcessHandle etcd = supervisor.process().orElseThrow();

    supervisor.stop(false);

    assertThat(etcd.isAlive()).isFalse();
    assertThat(config.paths().etcdPidFile()).doesNotExist();
  }

  @Test
  void missingEtcdBinaryIsReportedWithItsPath() {
    EtcdMemberConfig broken = new EtcdMemberConfig(member.name(), member.dataDirName(), member.clientUrl(), member.peerUrl(),
        member.initialCluster(), member.initialClusterState(), member.initialClusterToken(), base.resolve("no/etcd"), member.tls());
    EtcdSupervisor doomed = new EtcdSupervisor(config.paths(), broken);

    assertThatThrownBy(doomed::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(base.resolve("no/etcd").toString())
        .hasMessageContaining("missing or not executable");
  }

  private void awaitHealthy() {
    try (Client client = EtcdAccess.ofMember(member).connect()) {
      await().atMost(Duration.ofSeconds(30)).until(() -> EtcdAccess.healthy(client, HEALTH));
    }
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }
}
