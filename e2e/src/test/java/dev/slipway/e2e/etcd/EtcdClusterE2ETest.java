package dev.slipway.e2e.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.e2e.CommandOutput;
import dev.slipway.e2e.Testbed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code slipway up} makes the testbed's three masters a TLS-only etcd cluster; then the day-2
 * drills: a re-run changes nothing, a master powered off and back rejoins, a snapshot restores the
 * cluster after every member lost its data, and a bad snapshot or an unreachable member is refused
 * before anything is stopped. The tests share one cluster and run in order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EtcdClusterE2ETest {

  @RegisterExtension
  static final Testbed testbed = new Testbed();

  private static final List<String> MASTERS = List.of("master-1", "master-2", "master-3");
  private Path work;
  private Path clusterDir;
  private Etcdctl etcdctl;

  @BeforeAll
  void cleanTestbed() throws IOException {
    for (var host : Testbed.HOSTS.keySet()) {
      testbed.exec(host, "if [ -x /opt/slipway/bin/slipway-agent ]; then /opt/slipway/bin/slipway-agent stop --root /; fi;"
          + " rm -rf /etc/slipway/* /var/lib/slipway/* /opt/slipway/* /var/log/slipway/*");
    }
    work = Files.createTempDirectory("slipway-etcd-e2e");
    clusterDir = work.resolve("cluster");
    etcdctl = Etcdctl.of(clusterDir.resolve("pki"), MASTERS.stream().map(h -> "https://" + testbed.address(h) + ":2379").toList());
  }

  @AfterEach
  void everyHostOnAndLinked() {
    for (var host : MASTERS) {
      testbed.link(host, Testbed.Link.UP);
      if (!processRunning(host)) {
        testbed.power(host, Testbed.Power.ON);
      }
    }
  }

  @Test
  @Order(1)
  void upGivesAThreeMemberEtcdHealthyOverMutualTls() {
    // When
    var up = up();

    // Then
    assertThat(up.exitCode()).as(up.toString()).isZero();
    assertThat(up.stdout()).containsPattern("(?m)^master-1 +created ");
    var health = etcdctl.run("endpoint", "health");
    assertThat(health.succeeded()).as(health.out()).isTrue();
    assertThat(health.out().lines().filter(l -> l.contains("is healthy"))).hasSize(3);
    var members = etcdctl.run("member", "list");
    assertThat(members.out()).contains("master-1", "master-2", "master-3", "https://10.77.0.12:2380");
  }

  @Test
  @Order(2)
  void plainHttpIsRefused() {
    var tls = etcdctl.withEndpoints(List.of("https://" + testbed.address("master-1") + ":2379")).run("endpoint", "health");
    assertThat(tls.succeeded()).as("the same member over TLS: %s", tls.out()).isTrue();

    var plain = etcdctl.withEndpoints(List.of("http://" + testbed.address("master-1") + ":2379")).run("endpoint", "health");

    assertThat(plain.succeeded()).as(plain.out()).isFalse();
  }

  @Test
  @Order(3)
  void aClientCertificateFromAnotherCaIsRefused() throws Exception {
    // Given: a CA of our own and a client certificate it signed
    var foreign = work.resolve("foreign");
    Files.createDirectories(foreign);
    openssl(foreign, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
        "-subj", "/CN=foreign-ca", "-keyout", "ca.key", "-out", "ca.crt");
    openssl(foreign, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=intruder",
        "-keyout", "client.key", "-out", "client.csr");
    openssl(foreign, "x509", "-req", "-in", "client.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
        "-days", "2", "-out", "client.crt");

    var ours = etcdctl.run("put", "/x", "y");
    assertThat(ours.succeeded()).as("the cluster's own client certificate: %s", ours.out()).isTrue();

    // When
    var intruder = etcdctl.withClient(foreign.resolve("client.crt"), foreign.resolve("client.key")).run("put", "/x", "y");

    // Then
    assertThat(intruder.succeeded()).as(intruder.out()).isFalse();
  }

  @Test
  @Order(4)
  void aSecondUpSaysUnchanged() {
    var up = up();

    assertThat(up.exitCode()).as(up.toString()).isZero();
    assertThat(up.stdout()).as(up.toString()).contains("is unchanged");
    for (var host : Testbed.HOSTS.keySet()) {
      assertThat(up.stdout()).containsPattern("(?m)^" + host + " +unchanged +-$");
    }
  }

  @Test
  @Order(5)
  void writesSucceedWithOneMasterOffAndItRejoinsAfterUp() {
    // Given
    testbed.power("master-3", Testbed.Power.OFF);

    // When / Then: writes succeed (once the two left have elected a leader, if master-3 was it)
    var twoLeft = etcdctl.withEndpoints(List.of("https://10.77.0.11:2379", "https://10.77.0.12:2379"));
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
      var write = twoLeft.run("put", "/e2e/while-master-3-was-off", "yes");
      assertThat(write.succeeded()).as(write.out()).isTrue();
    });

    // When: it comes back and up runs
    testbed.power("master-3", Testbed.Power.ON);
    var up = up();

    // Then
    assertThat(up.exitCode()).as(up.toString()).isZero();
    assertThat(up.stdout()).containsPattern("(?m)^master-3 +changed +started the agent");
    var fromMaster3 = etcdctl.withEndpoints(List.of("https://10.77.0.13:2379")).run("get", "/e2e/while-master-3-was-off");
    assertThat(fromMaster3.out()).as(fromMaster3.out()).contains("yes");
  }

  @Test
  @Order(6)
  void restoreBringsTheKeysBackAfterEveryMemberLostItsData() throws Exception {
    // Given: keys, a snapshot, and every member's data destroyed
    for (int i = 0; i < 20; i++) {
      assertThat(etcdctl.run("put", "/e2e/drill/" + i, "value-" + i).succeeded()).isTrue();
    }
    var snapshot = work.resolve("drill.db");
    var save = testbed.slipway("etcd", "snapshot", "save", "-i", testbed.inventory().toString(),
        "--cluster-dir", clusterDir.toString(), "-o", snapshot.toString());
    assertThat(save.exitCode()).as(save.toString()).isZero();
    for (var host : MASTERS) {
      testbed.power(host, Testbed.Power.OFF);
    }
    for (var host : MASTERS) {
      deleteTree(testbed.home().resolve("testbed/.state/hosts").resolve(host).resolve("disk/var/lib/slipway/etcd"));
    }
    for (var host : MASTERS) {
      testbed.power(host, Testbed.Power.ON);
    }

    // When
    var restore = restore(snapshot);

    // Then
    assertThat(restore.exitCode()).as(restore.toString()).isZero();
    var keys = etcdctl.run("get", "/e2e/drill/", "--prefix", "--keys-only");
    assertThat(keys.out().lines().filter(l -> l.startsWith("/e2e/drill/"))).hasSize(20);
    var health = etcdctl.run("endpoint", "health");
    assertThat(health.out().lines().filter(l -> l.contains("is healthy"))).as(health.out()).hasSize(3);
  }

  @Test
  @Order(7)
  void aTruncatedSnapshotIsRefusedBeforeAnythingIsStopped() throws Exception {
    // Given
    var good = work.resolve("drill.db");
    var truncated = work.resolve("truncated.db");
    var bytes = Files.readAllBytes(good);
    Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    Files.copy(work.resolve("drill.json"), work.resolve("truncated.json"));
    var pids = agentPids();

    // When
    var restore = restore(truncated);

    // Then
    assertThat(restore.exitCode()).as(restore.toString()).isEqualTo(1);
    assertThat(restore.stdout()).contains("Stopped at phase \"Verify the snapshot\"", "truncated");
    assertThat(agentPids()).isEqualTo(pids);
  }

  @Test
  @Order(8)
  void anAlteredSnapshotIsRefusedBeforeAnythingIsStopped() throws Exception {
    // Given: same size, one byte changed
    var bytes = Files.readAllBytes(work.resolve("drill.db"));
    bytes[bytes.length / 3] ^= 0x40;
    var altered = Files.write(work.resolve("altered.db"), bytes);
    Files.copy(work.resolve("drill.json"), work.resolve("altered.json"));
    var pids = agentPids();

    // When
    var restore = restore(altered);

    // Then
    assertThat(restore.exitCode()).as(restore.toString()).isEqualTo(1);
    assertThat(restore.stdout()).contains("Stopped at phase \"Verify the snapshot\"", "has sha256");
    assertThat(agentPids()).isEqualTo(pids);
  }

  @Test
  @Order(9)
  void aRestoreWithOneMemberUnreachableIsRefusedBeforeAnythingIsStopped() {
    // Given
    var pids = agentPids();
    testbed.link("master-2", Testbed.Link.DOWN);

    // When
    var restore = restore(work.resolve("drill.db"));

    // Then
    assertThat(restore.exitCode()).as(restore.toString()).isEqualTo(1);
    assertThat(restore.stdout()).contains("Stopped at phase \"Reach every etcd member host\"", "master-2");
    testbed.link("master-2", Testbed.Link.UP);
    assertThat(agentPids()).isEqualTo(pids);
  }

  @Test
  @Order(10)
  void snapshotListShowsTheLocalSnapshotAndEachMembersFolder() {
    var list = testbed.slipway("etcd", "snapshot", "list", "-i", testbed.inventory().toString(),
        "--cluster-dir", clusterDir.toString());

    assertThat(list.exitCode()).as(list.toString()).isZero();
    assertThat(list.stdout()).contains("local ", "master-1:/var/lib/slipway/snapshots", "master-3:/var/lib/slipway/snapshots");
  }

  private CommandOutput up() {
    return testbed.slipway("up", "-i", testbed.inventory().toString(), "--cluster-dir", clusterDir.toString());
  }

  private CommandOutput restore(Path snapshot) {
    return testbed.slipway("etcd", "restore", "-i", testbed.inventory().toString(), "--cluster-dir", clusterDir.toString(),
        "--snapshot", snapshot.toString());
  }

  private List<String> agentPids() {
    return MASTERS.stream().map(h -> testbed.exec(h, "cat /var/lib/slipway/agent.pid").stdout().strip()).toList();
  }

  /** Whether the host is powered: its anchor process lives. */
  private boolean processRunning(String host) {
    return testbed.exec(host, "true").succeeded();
  }

  private static void openssl(Path dir, String... args) throws Exception {
    var command = new java.util.ArrayList<String>();
    command.add("openssl");
    command.addAll(List.of(args));
    var process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    var out = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0).as(out).isTrue();
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (var p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
