package dev.slipway.provisioner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/** A real preflight on this machine through the local provider: real shell, real facts. */
class PreflightCommandComponentTest {
  @TempDir
  Path dir;

  Path inventory(String first, String second) throws IOException {
    return Files.writeString(dir.resolve("local.yaml"), """
        apiVersion: slipway.dev/v1
        kind: Cluster
        metadata:
          name: preflight-test
        spec:
          provider: local
          hosts:
            - name: master-1
              address: %s
              roles: [master]
              rootDir: hosts/master-1
            - name: worker-1
              address: %s
              roles: [worker]
              rootDir: hosts/worker-1
        """.formatted(first, second));
  }

  @Test
  void everyHostOfThisMachinePassesAndGetsATableRow() throws IOException {
    // Given
    var file = inventory("127.0.91.1", "127.0.91.2");

    // When
    var run = CliRun.of("preflight", "-i", file.toString(), "--cluster-dir", dir.resolve("cluster").toString());

    // Then
    assertThat(run.err()).isEmpty();
    assertThat(run.out()).contains("[1/3] Connect to hosts", "[2/3] Gather facts", "[3/3] Check hosts",
        "All 3 phases done");
    assertThat(run.out()).containsPattern("(?m)^master-1 +127\\.0\\.91\\.1 +.+ +(OK +){6}OK$")
        .containsPattern("(?m)^worker-1 +127\\.0\\.91\\.2 +.+ +(OK +){6}OK$");
    assertThat(run.exitCode()).isZero();
  }

  @Test
  void aPortTakenOnOneHostsAddressFailsThatHostOnlyAndSaysWhatToDo() throws IOException {
    // Given: something listens on master-1's etcd peer port
    var file = inventory("127.0.91.3", "127.0.91.4");
    try (var squatter = new ServerSocket()) {
      squatter.bind(new InetSocketAddress(InetAddress.getByName("127.0.91.3"), 2380));

      // When
      var run = CliRun.of("preflight", "-i", file.toString());

      // Then
      assertThat(run.exitCode()).isEqualTo(1);
      assertThat(run.out()).containsPattern("(?m)^master-1 +127\\.0\\.91\\.3 .* FAIL +OK +OK$")
          .containsPattern("(?m)^worker-1 +127\\.0\\.91\\.4 +.+ +(OK +){6}OK$")
          .contains("master-1 PORTS: 2380 in use\n  -> stop what listens on 2380 on 127.0.91.3")
          .contains("Stopped at phase \"Check hosts\"");
    }
  }

  @Test
  void jsonOutputIsOneDocumentWithFactsAndChecks() throws IOException {
    // Given
    var file = inventory("127.0.91.5", "127.0.91.6");

    // When
    var run = CliRun.of("--output", "json", "preflight", "-i", file.toString());

    // Then
    var doc = JsonMapper.builder().build().readTree(run.out());
    assertThat(doc.get("cluster").asString()).isEqualTo("preflight-test");
    assertThat(doc.get("passed").asBoolean()).isEqualTo(run.exitCode() == 0);
    assertThat(doc.get("hosts")).hasSize(2);
    var host = doc.get("hosts").get(0);
    assertThat(host.get("facts").get("cpus").asInt()).isPositive();
    assertThat(host.get("facts").get("os").asString()).isNotBlank();
    assertThat(host.get("checks")).hasSize(7);
    assertThat(run.err().lines()).allMatch(l -> l.startsWith("{\"event\":"));
  }

  @Test
  void slipwaysOwnAgentHoldingThePortsIsFine() throws IOException {
    // Given: the agent's pid file names a live process (this JVM) and a watched port is bound
    var file = inventory("127.0.91.7", "127.0.91.8");
    var pidFile = dir.resolve("hosts/master-1/var/lib/slipway/agent.pid");
    Files.createDirectories(pidFile.getParent());
    Files.writeString(pidFile, ProcessHandle.current().pid() + "\n");
    try (var agent = new ServerSocket()) {
      agent.bind(new InetSocketAddress(InetAddress.getByName("127.0.91.7"), 10250));

      // When
      var run = CliRun.of("preflight", "-i", file.toString());

      // Then
      assertThat(run.out()).containsPattern("(?m)^master-1 +127\\.0\\.91\\.7 +.+ +(OK +){6}OK$");
      assertThat(run.exitCode()).isZero();
    }
  }
}
