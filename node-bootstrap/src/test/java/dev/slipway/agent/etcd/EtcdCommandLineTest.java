package dev.slipway.agent.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.agent.config.AgentPaths;
import dev.slipway.agent.config.EtcdMemberConfig;
import dev.slipway.agent.config.InitialClusterState;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class EtcdCommandLineTest {

  private final AgentPaths paths = new AgentPaths(Path.of("/srv/hosts/m1"));
  private final EtcdMemberConfig member = EtcdMemberConfig.standard(paths, "m1", "10.0.0.11",
      "m1=https://10.0.0.11:2380,m2=https://10.0.0.12:2380,m3=https://10.0.0.13:2380", InitialClusterState.EXISTING, "demo-etcd");

  @Test
  void memberListensAndAdvertisesOnlyItsHttpsUrls() {
    List<String> command = EtcdCommandLine.of(paths, member);

    assertThat(command).startsWith("/srv/hosts/m1/opt/slipway/bin/etcd").contains(
        "--name=m1",
        "--data-dir=/srv/hosts/m1/var/lib/slipway/etcd/m1",
        "--listen-client-urls=https://10.0.0.11:2379",
        "--advertise-client-urls=https://10.0.0.11:2379",
        "--listen-peer-urls=https://10.0.0.11:2380",
        "--initial-advertise-peer-urls=https://10.0.0.11:2380",
        "--initial-cluster=m1=https://10.0.0.11:2380,m2=https://10.0.0.12:2380,m3=https://10.0.0.13:2380",
        "--initial-cluster-state=existing",
        "--initial-cluster-token=demo-etcd");
    assertThat(command).noneMatch(arg -> arg.contains("http://"));
  }

  @Test
  void writesLeaveEtcdsBackendBatchSoonSoTransactionsCopyLittle() {
    assertThat(EtcdCommandLine.of(paths, member)).contains("--backend-batch-interval=10ms");
  }

  @Test
  void watchesHearHowFarEtcdIsWithoutAsking() {
    assertThat(EtcdCommandLine.of(paths, member)).contains("--experimental-watch-progress-notify-interval=5s");
  }

  @Test
  void clientsAndPeersMustPresentCertificatesOfTheEtcdCa() {
    List<String> command = EtcdCommandLine.of(paths, member);

    assertThat(command).contains(
        "--client-cert-auth",
        "--trusted-ca-file=/srv/hosts/m1/etc/slipway/pki/etcd/ca.crt",
        "--cert-file=/srv/hosts/m1/etc/slipway/pki/etcd/server.crt",
        "--key-file=/srv/hosts/m1/etc/slipway/pki/etcd/server.key",
        "--peer-client-cert-auth",
        "--peer-trusted-ca-file=/srv/hosts/m1/etc/slipway/pki/etcd/ca.crt",
        "--peer-cert-file=/srv/hosts/m1/etc/slipway/pki/etcd/peer.crt",
        "--peer-key-file=/srv/hosts/m1/etc/slipway/pki/etcd/peer.key");
  }
}
