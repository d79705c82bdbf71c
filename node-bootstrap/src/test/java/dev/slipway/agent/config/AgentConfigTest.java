package dev.slipway.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AgentConfigTest {

  @TempDir Path root;

  private AgentConfig master() {
    AgentPaths paths = new AgentPaths(root);
    return new AgentConfig(
        "demo",
        new HostIdentity("m1", "10.0.0.11", List.of(NodeRole.MASTER, NodeRole.ETCD)),
        root,
        Optional.of(EtcdMemberConfig.standard(paths, "m1", "10.0.0.11",
            "m1=https://10.0.0.11:2380,m2=https://10.0.0.12:2380,m3=https://10.0.0.13:2380",
            InitialClusterState.NEW, "demo-etcd")),
        new SnapshotSchedule(Duration.ofMinutes(90), 5));
  }

  @Test
  void writtenConfigReadsBackEqual() {
    AgentConfig config = master();
    Path file = config.paths().configFile();

    config.write(file);

    assertThat(AgentConfig.read(file)).isEqualTo(config);
  }

  @Test
  void masterWithApiServerRoundTrips() {
    AgentConfig config = master().withApiServer(ApiServerSection.standard(new AgentPaths(root), "10.0.0.11",
        List.of(URI.create("https://10.0.0.11:2379"), URI.create("https://10.0.0.12:2379")), "10.96.0.0/16"));
    Path file = root.resolve("agent.yaml");

    config.write(file);

    assertThat(AgentConfig.read(file)).isEqualTo(config);
    assertThat(config.apiServer().orElseThrow().etcdClientCert()).isEqualTo(root.resolve("etc/slipway/pki/apiserver-etcd-client.crt"));
  }

  @Test
  void podEvictionTimeoutIsKubernetesDefaultWhenAbsentAndReadWhenGiven() throws Exception {
    Path file = root.resolve("agent.yaml");
    master().withApiServer(ApiServerSection.standard(new AgentPaths(root), "10.0.0.11",
        List.of(URI.create("https://10.0.0.11:2379")), "10.96.0.0/16")).write(file);
    String written = Files.readString(file);
    Files.writeString(file, written.replace("podEvictionTimeout: 5m", ""));
    assertThat(AgentConfig.read(file).apiServer().orElseThrow().podEvictionTimeout()).isEqualTo(Duration.ofMinutes(5));

    Files.writeString(file, written.replace("podEvictionTimeout: 5m", "podEvictionTimeout: 30s"));

    assertThat(AgentConfig.read(file).apiServer().orElseThrow().podEvictionTimeout()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void writtenConfigIsOwnerOnlyAndHumanReadable() throws Exception {
    Path file = root.resolve("agent.yaml");

    master().write(file);

    assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.readString(file))
        .contains("interval: 1h30m")
        .contains("clientUrl: https://10.0.0.11:2379")
        .contains("caCert: " + root.resolve("etc/slipway/pki/etcd/ca.crt"))
        .contains("initialClusterState: new");
  }

  @Test
  void standardPathsFollowTheDesign() {
    EtcdMemberConfig etcd = master().etcd().orElseThrow();

    assertThat(master().paths().etcdDataDir(etcd.dataDirName())).isEqualTo(root.resolve("var/lib/slipway/etcd/m1"));
    assertThat(etcd.binary()).isEqualTo(root.resolve("opt/slipway/bin/etcd"));
    assertThat(etcd.tls().peerKey()).isEqualTo(root.resolve("etc/slipway/pki/etcd/peer.key"));
  }

  @Test
  void workerWithoutEtcdSectionRoundTrips() {
    AgentConfig worker = new AgentConfig("demo", new HostIdentity("w1", "10.0.0.21", List.of(NodeRole.WORKER)),
        root, Optional.empty(), SnapshotSchedule.DEFAULT);
    Path file = root.resolve("agent.yaml");

    worker.write(file);

    assertThat(AgentConfig.read(file)).isEqualTo(worker);
  }

  @Test
  void exampleInTemplatesIsAValidConfig() {
    AgentConfig example = AgentConfig.read(Path.of("../templates/agent.yaml"));

    assertThat(example.etcd()).hasValueSatisfying(etcd -> assertThat(etcd.tls().caCert()).isEqualTo(Path.of("/etc/slipway/pki/etcd/ca.crt")));
    assertThat(example.snapshots()).isEqualTo(new SnapshotSchedule(Duration.ofHours(6), 10));
    assertThat(example.apiServer()).hasValueSatisfying(api -> assertThat(api.etcdEndpoints()).hasSize(3));
  }

  @Test
  void missingFileIsReportedWithItsPath() {
    Path file = root.resolve("etc/slipway/agent.yaml");

    assertThatThrownBy(() -> AgentConfig.read(file))
        .isInstanceOf(InvalidAgentConfigException.class)
        .hasMessageContaining(file.toString());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "plain http client URL | clientUrl: https://10.0.0.11:2379 | clientUrl: http://10.0.0.11:2379 | etcd.clientUrl must be https",
      "unknown field         | cluster: demo                      | cluster: demo\\nsurprise: 1   | surprise",
      "bad duration          | interval: 1h30m                    | interval: soon                | 'soon' is not a duration",
      "keep zero             | keep: 5                            | keep: 0                       | snapshots.keep must be at least 1",
      "data dir outside      | dataDirName: m1                    | dataDirName: ../m1            | etcd.dataDirName must be a plain folder name",
  })
  void invalidConfigIsRefusedNamingFileAndField(String name, String from, String to, String message) throws Exception {
    Path file = root.resolve("agent.yaml");
    master().write(file);
    Files.writeString(file, Files.readString(file).replaceFirst("(?m)^(\\s*)" + from, "$1" + to.replace("\\n", "\n")));

    assertThatThrownBy(() -> AgentConfig.read(file))
        .isInstanceOf(InvalidAgentConfigException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining(message);
  }

  @Test
  void etcdRoleWithoutEtcdSectionIsRefused() {
    HostIdentity host = new HostIdentity("m1", "10.0.0.11", List.of(NodeRole.ETCD));

    assertThatThrownBy(() -> new AgentConfig("demo", host, root, Optional.empty(), SnapshotSchedule.DEFAULT))
        .isInstanceOf(InvalidAgentConfigException.class)
        .hasMessageContaining("host m1 has the etcd role but no etcd section");
  }
}
