package dev.slipway.provisioner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.agent.snapshot.EtcdAccess;
import dev.slipway.provisioner.cluster.ClusterDirectory;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
 * {@code slipway up}, {@code certs check}, {@code etcd snapshot save} and {@code etcd restore} on the
 * local provider: three hosts as folders on 127.0.92.1-3, the real agent jar, the real etcd. The
 * tests share one cluster and run in order: up, re-run, certificates, snapshot, restore.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalEtcdClusterComponentTest {
  private static final List<String> HOSTS = List.of("master-1", "master-2", "master-3");
  private Path dir;
  private Path inventory;
  private Path clusterDir;

  @BeforeAll
  void agentJarAndInventory() throws Exception {
    LocalAgents.assumeAgentAndEtcd();
    dir = Files.createTempDirectory("slipway-up-test");
    clusterDir = dir.resolve("cluster");
    inventory = Files.writeString(dir.resolve("local.yaml"), """
        apiVersion: slipway.dev/v1
        kind: Cluster
        metadata:
          name: uptest
        spec:
          provider: local
          hosts:
            - {name: master-1, address: 127.0.92.1, roles: [master, etcd], rootDir: hosts/master-1}
            - {name: master-2, address: 127.0.92.2, roles: [master, etcd], rootDir: hosts/master-2}
            - {name: master-3, address: 127.0.92.3, roles: [master, etcd], rootDir: hosts/master-3}
          etcd:
            binary: /usr/bin/etcd
          runtime:
            kind: process
        """);
  }

  @AfterAll
  void stopAgents() throws Exception {
    if (dir != null) { // null when the class was skipped
      LocalAgents.stop(dir.resolve("hosts"), HOSTS);
    }
  }

  @Test
  @Order(1)
  void upMakesAThreeMemberEtcdHealthyOverMutualTls() throws Exception {
    // When
    var run = up();

    // Then
    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    assertThat(run.out()).contains("Wait for etcd quorum and health", "3 of 3 members healthy")
        .containsPattern("(?m)^master-1 +created ")
        .containsPattern("(?m)^master-3 +created ");
    try (var client = client()) {
      client.getKVClient().put(bytes("/registry/test"), bytes("v")).get(10, TimeUnit.SECONDS);
      assertThat(client.getClusterClient().listMember().get(10, TimeUnit.SECONDS).getMembers())
          .extracting(m -> m.getName()).containsExactlyInAnyOrderElementsOf(HOSTS);
    }
    var state = ClusterDirectory.open(clusterDir).readState().orElseThrow();
    assertThat(state.etcd()).hasSize(3).allSatisfy(m -> assertThat(m.id()).isNotEmpty());
    assertThat(state.etcdToken()).startsWith("uptest-etcd-");
  }

  @Test
  @Order(2)
  void secretsAreOwnerOnlyOnTheOperatorMachineAndOnTheHosts() throws IOException {
    assertThat(Files.getPosixFilePermissions(clusterDir)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
    assertThat(Files.getPosixFilePermissions(clusterDir.resolve("pki/etcd/ca.key")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    var hostPki = dir.resolve("hosts/master-2/etc/slipway/pki/etcd");
    assertThat(Files.getPosixFilePermissions(hostPki.resolve("server.key"))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.getPosixFilePermissions(dir.resolve("hosts/master-2/etc/slipway/agent.yaml")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    // Each member gets its own serving certificate, and no other member's.
    assertThat(Files.readString(hostPki.resolve("server.crt")))
        .isEqualTo(Files.readString(clusterDir.resolve("pki/etcd/server-master-2.crt")));
    assertThat(hostPki.resolve("server-master-1.crt")).doesNotExist();
  }

  @Test
  @Order(3)
  void aSecondRunChangesNothingAndSaysUnchanged() throws Exception {
    // Given
    var pids = agentPids();

    // When
    var run = up();

    // Then
    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    assertThat(run.out()).contains("is unchanged")
        .containsPattern("(?m)^master-1 +unchanged +-$")
        .containsPattern("(?m)^master-2 +unchanged +-$")
        .containsPattern("(?m)^master-3 +unchanged +-$");
    assertThat(agentPids()).isEqualTo(pids);
  }

  @Test
  @Order(4)
  void certsCheckFindsEveryFileAndEveryServedCertificateInOrder() {
    // When
    var run = CliRun.of("certs", "check", "-i", inventory.toString(), "--cluster-dir", clusterDir.toString());

    // Then
    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    assertThat(run.out()).contains("etcd-server-master-1", "master-1 127.0.92.1:2379", "master-3 127.0.92.3:2380")
        .doesNotContain("MISMATCH", "UNREACHABLE", "MISSING");
  }

  @Test
  @Order(5)
  void restoreBringsBackTheSnapshotsKeysAndForgetsLaterWrites() throws Exception {
    // Given: a key, a snapshot, then a key written after it
    try (var client = client()) {
      client.getKVClient().put(bytes("/registry/before"), bytes("kept")).get(10, TimeUnit.SECONDS);
    }
    var snapshot = dir.resolve("saved/uptest.db");
    Files.createDirectories(snapshot.getParent());
    var save = CliRun.of("etcd", "snapshot", "save", "-i", inventory.toString(), "--cluster-dir", clusterDir.toString(),
        "-o", snapshot.toString());
    assertThat(save.exitCode()).as(save.out() + save.err()).isZero();
    assertThat(snapshot.resolveSibling("uptest.json")).isRegularFile();
    try (var client = client()) {
      client.getKVClient().put(bytes("/registry/after"), bytes("lost")).get(10, TimeUnit.SECONDS);
    }

    // When
    var restore = CliRun.of("etcd", "restore", "-i", inventory.toString(), "--cluster-dir", clusterDir.toString(),
        "--snapshot", snapshot.toString());

    // Then
    assertThat(restore.exitCode()).as(restore.out() + restore.err()).isZero();
    try (var client = client()) {
      var kv = client.getKVClient();
      assertThat(kv.get(bytes("/registry/before")).get(10, TimeUnit.SECONDS).getKvs()).hasSize(1);
      assertThat(kv.get(bytes("/registry/after")).get(10, TimeUnit.SECONDS).getKvs()).isEmpty();
    }
    try (var aside = Files.list(dir.resolve("hosts/master-1/var/lib/slipway/etcd"))) {
      assertThat(aside.map(p -> p.getFileName().toString())).anyMatch(n -> n.contains(".before-restore-"));
    }
  }

  @Test
  @Order(6)
  void upAfterARestoreChangesNothing() throws Exception {
    var run = up();

    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    assertThat(run.out()).contains("is unchanged");
  }

  @Test
  @Order(7)
  void anAlteredSnapshotIsRefusedBeforeAnyAgentIsStopped() throws Exception {
    // Given: a snapshot with one byte changed
    var snapshot = dir.resolve("saved/uptest.db");
    var altered = dir.resolve("saved/altered.db");
    var bytes = Files.readAllBytes(snapshot);
    bytes[bytes.length / 2] ^= 0x01;
    Files.write(altered, bytes);
    Files.copy(snapshot.resolveSibling("uptest.json"), altered.resolveSibling("altered.json"));
    var pids = agentPids();

    // When
    var restore = CliRun.of("etcd", "restore", "-i", inventory.toString(), "--cluster-dir", clusterDir.toString(),
        "--snapshot", altered.toString());

    // Then
    assertThat(restore.exitCode()).isEqualTo(1);
    assertThat(restore.out()).contains("Stopped at phase \"Verify the snapshot\"", "has sha256");
    assertThat(agentPids()).isEqualTo(pids);
  }

  private CliRun up() {
    return CliRun.of("up", "-i", inventory.toString(), "--cluster-dir", clusterDir.toString());
  }

  private List<String> agentPids() throws IOException {
    var pids = new java.util.ArrayList<String>();
    for (var host : HOSTS) {
      pids.add(Files.readString(dir.resolve("hosts").resolve(host).resolve("var/lib/slipway/agent.pid")).strip());
    }
    return pids;
  }

  private Client client() {
    var pki = clusterDir.resolve("pki");
    return new EtcdAccess(List.of(URI.create("https://127.0.92.1:2379"), URI.create("https://127.0.92.2:2379"),
        URI.create("https://127.0.92.3:2379")), pki.resolve("etcd/ca.crt"), pki.resolve("apiserver-etcd-client.crt"),
        pki.resolve("apiserver-etcd-client.key")).connect();
  }

  private static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }

  /** The agent jar built with the same build suffix as these tests (target-up/ beside target-up/). */}
