package dev.slipway.provisioner.up;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.provisioner.cluster.ClusterDirectory;
import dev.slipway.provisioner.cluster.ClusterPki;
import dev.slipway.provisioner.phase.ClusterContext;
import dev.slipway.provisioner.phase.PhaseFailed;
import dev.slipway.provisioner.phase.TextProgress;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Security;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnsurePkiTest {
  @TempDir
  Path dir;

  private final StringWriter out = new StringWriter();

  private void ensure(UpRun run) {
    try (var context = new ClusterContext(run.inventory(), run.dir().root(), new TextProgress(new PrintWriter(out), false),
        host -> { throw new AssertionError("no host is contacted"); }, false)) {
      new EnsurePki(run).run(context);
    }
  }

  private UpRun run(Path clusterDir) throws IOException {
    var inventory = TestInventories.masters(dir, "demo", "m1:127.0.95.1");
    var bundle = new NodeBundle(dir, dir, dir, dir);
    return new UpRun(inventory, ClusterDirectory.open(clusterDir), ClusterPki.catalogue(inventory), bundle);
  }

  @Test
  void aSecondRunReusesEveryCertificateEvenWithBouncyCastleRegistered() throws IOException {
    // Given: what SSH connections do to the JVM (MINA SSHD registers Bouncy Castle), and a first run
    Security.addProvider(new BouncyCastleProvider());
    ensure(run(dir.resolve("cluster")));

    // When
    ensure(run(dir.resolve("cluster")));

    // Then
    assertThat(out.toString()).contains("14 created, 0 reused", "0 created, 14 reused");
  }

  @Test
  void aCertificateFromAnotherCaStopsTheRunNamingIt() throws IOException {
    // Given: the etcd server certificate of m1 replaced by one from another cluster's PKI
    ensure(run(dir.resolve("cluster")));
    ensure(run(dir.resolve("other")));
    Files.copy(dir.resolve("other/pki/etcd/server-m1.crt"), dir.resolve("cluster/pki/etcd/server-m1.crt"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.copy(dir.resolve("other/pki/etcd/server-m1.key"), dir.resolve("cluster/pki/etcd/server-m1.key"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);

    // When / Then
    assertThatThrownBy(() -> ensure(run(dir.resolve("cluster")))).isInstanceOf(PhaseFailed.class)
        .hasMessageContaining("etcd-server-m1").hasMessageContaining("nothing was replaced");
  }
}
