package dev.slipway.provisioner.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterDirectoryTest {
  @TempDir
  Path dir;

  @Test
  void openingMakesOwnerOnlyFoldersForPkiAndSnapshots() throws IOException {
    var cluster = ClusterDirectory.open(dir.resolve("clusters/demo"));

    for (var folder : List.of(cluster.root(), cluster.pki(), cluster.snapshots())) {
      assertThat(Files.getPosixFilePermissions(folder)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
    }
  }

  @Test
  void theStateIsReadBackAsWrittenAndOnlyItsOwnerCanReadIt() throws IOException {
    var cluster = ClusterDirectory.open(dir);
    var state = ClusterState.empty("demo", "demo-etcd-1")
        .withHost("m1", new ClusterState.HostState(Map.of("/etc/slipway/agent.yaml", "ab")))
        .withEtcd(List.of(new ClusterState.EtcdMember("m1", "10.0.0.1", "8e9e", "m1", "m1=https://10.0.0.1:2380", "new")));

    cluster.writeState(state);

    assertThat(cluster.readState()).hasValue(state);
    assertThat(Files.getPosixFilePermissions(cluster.stateFile())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
  }

  @Test
  void noStateBeforeTheFirstRun() {
    assertThat(ClusterDirectory.open(dir).readState()).isEmpty();
  }

  @Test
  void aDamagedStateFileIsNamedWithWhatToDo() throws IOException {
    var cluster = ClusterDirectory.open(dir);
    Files.writeString(cluster.stateFile(), "{not json");

    assertThatThrownBy(cluster::readState).hasMessageContaining(cluster.stateFile().toString())
        .hasMessageContaining("move it aside");
  }
}
