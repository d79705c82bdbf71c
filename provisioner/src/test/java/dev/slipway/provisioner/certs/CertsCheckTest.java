package dev.slipway.provisioner.certs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.provisioner.cluster.ClusterDirectory;
import dev.slipway.provisioner.cluster.ClusterPki;
import dev.slipway.provisioner.up.TestInventories;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** certs check on a real PKI folder; no etcd listens on the member's address, so served rows are unreachable. */
class CertsCheckTest {
  @TempDir
  Path dir;

  private ClusterDirectory cluster;
  private dev.slipway.provisioner.inventory.Inventory inventory;

  @BeforeEach
  void pki() throws IOException {
    inventory = TestInventories.masters(dir, "demo", "m1:127.0.96.1");
    cluster = ClusterDirectory.open(dir.resolve("cluster"));
    cluster.pkiDirectory().ensure(ClusterPki.catalogue(inventory));
  }

  private CertsCheck at(Instant now) {
    return new CertsCheck(Clock.fixed(now, ZoneOffset.UTC));
  }

  @Test
  void freshCertificatesAreOkAndAnUnreachableMemberIsFlagged() {
    var rows = at(Instant.now()).check(inventory, cluster, ClusterPki.catalogue(inventory));

    assertThat(rows.stream().filter(r -> r.source().startsWith("pki/"))).isNotEmpty().noneMatch(CertificateRow::flagged);
    assertThat(rows.stream().filter(r -> r.source().equals("m1 127.0.96.1:2379"))).singleElement()
        .satisfies(r -> assertThat(r.flag()).isEqualTo("UNREACHABLE"));
  }

  @Test
  void leavesExpiringWithin30DaysAreFlaggedAndTheCasAreNot() {
    var rows = at(Instant.now().plus(Duration.ofDays(340))).check(inventory, cluster, ClusterPki.catalogue(inventory));

    assertThat(rows).filteredOn(r -> r.certificate().equals("apiserver-etcd-client")).singleElement()
        .satisfies(r -> assertThat(r.flag()).isEqualTo("EXPIRES SOON"));
    assertThat(rows).filteredOn(r -> r.certificate().equals("etcd-ca")).singleElement()
        .satisfies(r -> assertThat(r.flagged()).isFalse());
  }

  @Test
  void aMissingCertificateFileIsFlagged() throws IOException {
    Files.delete(cluster.pki().resolve("admin.crt"));

    var rows = at(Instant.now()).check(inventory, cluster, ClusterPki.catalogue(inventory));

    assertThat(rows).filteredOn(r -> r.certificate().equals("admin")).singleElement()
        .satisfies(r -> assertThat(r.flag()).isEqualTo("MISSING"));
    assertThat(CertsCheck.table(rows)).contains("MISSING: no readable " + cluster.pki().resolve("admin.crt"));
  }
}
