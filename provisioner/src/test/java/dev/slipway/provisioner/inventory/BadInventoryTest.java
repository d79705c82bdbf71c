package dev.slipway.provisioner.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.slipway.provisioner.cli.SlipwayCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every kind of inventory mistake gets one exact message naming file, line, column and field, and exit code 2. */
class BadInventoryTest {
  static final String DIR = "src/test/resources/dev/slipway/provisioner/inventory/bad/";

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
      yaml-syntax.yaml           | 11:14: YAML syntax error: expected ',' or ']', but got : (while parsing a flow sequence started at line 10, column 14)
      unknown-field.yaml         | 13:7: spec.hosts[1].adress: unknown field "adress" (did you mean "address"?); known fields here: address, labels, name, port, roles, rootDir, taints, user
      wrong-type.yaml            | 14:14: spec.hosts[1].roles: wrong type: expected a list, found "master"
      empty.yaml                 | 1:1: the file is empty; expected an inventory with apiVersion: slipway.dev/v1 and kind: Cluster
      missing.yaml               | ` cannot read the inventory: no such file`
      duplicate-host.yaml        | 16:13: spec.hosts[2].name: duplicate host name "master-1" (first used by spec.hosts[0])
      duplicate-address.yaml     | 17:16: spec.hosts[2].address: duplicate address "127.0.30.1" (also the address of host "master-1")
      no-master.yaml             | 8:5: spec.hosts: no host has the master role; give it to at least one host (three for high availability)
      unknown-role.yaml          | 18:15: spec.hosts[2].roles[0]: unknown role "mastr" (did you mean "master"?); roles are master, etcd, worker
      bad-cidr.yaml              | 21:14: spec.network.podCIDR: bad CIDR "10.244.0.0/33"; expected an address and a prefix length such as 10.244.0.0/16
      overlapping-cidrs.yaml     | 22:18: spec.network.serviceCIDR: serviceCIDR 10.244.128.0/20 overlaps podCIDR 10.244.0.0/16; pods and services need separate ranges
      missing-identity.yaml      | 7:19: spec.ssh.identityFile: identity file {dir}/keys/id_missing does not exist
      even-etcd.yaml             | 8:5: spec.hosts: 2 etcd members (master-1, master-2): two members tolerate no loss, since etcd needs a majority (2 of 2) to work; give the etcd role to a third host (e.g. a worker: roles: [worker, etcd]) to survive one failure
      four-etcd.yaml             | 8:5: spec.hosts: 4 etcd members (m1, m2, m3, w1): an even count tolerates no more failures than 3 members; give the etcd role to one more host (e.g. a worker) or take it from one non-master
      wrong-api-version.yaml     | 1:13: apiVersion: unsupported "slipway.dev/v2"; expected "slipway.dev/v1"
      wrong-kind.yaml            | 2:7: kind: unsupported "Clustr"; expected "Cluster"
      bad-duration.yaml          | 21:17: spec.pki.caValidity: bad duration "10 years"; expected a Go-style duration such as 10s, 6h or 1h30m
      bad-eviction-timeout.yaml  | 21:25: spec.controllerManager.podEvictionTimeout: bad duration "-5m"; expected a Go-style duration such as 10s, 6h or 1h30m
      bad-taint.yaml             | 21:11: spec.hosts[2].taints[0]: bad taint "dedicated=gpu"; expected key=value:Effect with Effect one of NoSchedule, PreferNoSchedule, NoExecute
      local-without-rootdir.yaml | 12:7: spec.hosts[1]: host "master-2" has no rootDir; the local provider keeps each host in its own folder (e.g. rootDir: ~/.slipway/rootless/master-2)
      ssh-with-rootdir.yaml      | 12:16: spec.hosts[0].rootDir: rootDir is only for the local provider (spec.provider: local)
      unknown-provider.yaml      | 6:13: spec.provider: unknown value "locl" (did you mean "local"?); expected one of ssh, local
      duplicate-key.yaml         | 13:7: spec.hosts[0].roles: written twice in the same mapping (first at line 10); keep one
      etcd-download-without-sha256.yaml | 22:7: spec.etcd.download: url and sha256 go together; sha256 is missing (e.g. download: {url: https://example.org/etcd, sha256: <64 hex digits>})
      etcd-download-bad-url.yaml        | 22:12: spec.etcd.download.url: bad URL "ftp://example.org/etcd"; expected an http:// or https:// URL with a host
      etcd-download-bad-sha256.yaml     | 23:15: spec.etcd.download.sha256: bad sha256 "0123456789abcdef"; expected 64 hex digits, as sha256sum prints
      """)
  void badInventoryIsOneExactMessageAndExitCode2(String file, String expected) {
    // Given
    var path = DIR + file;
    var message = path + ":" + expected.replace("{dir}",
        Path.of(DIR).toAbsolutePath().normalize().toString());

    // When
    var error = catchThrowableOfType(InventoryException.class, () -> InventoryReader.read(Path.of(path)));
    var err = new StringWriter();
    var commandLine = SlipwayCommand.commandLine();
    commandLine.setErr(new PrintWriter(err));
    commandLine.setOut(new PrintWriter(new StringWriter()));
    int exit = commandLine.execute("inventory", "check", "-i", path);

    // Then
    assertThat(error.getMessage()).isEqualTo(message);
    assertThat(error.problems()).hasSize(1);
    assertThat(err.toString()).isEqualTo(message + System.lineSeparator());
    assertThat(exit).isEqualTo(2);
  }

  @Test
  void aFolderInPlaceOfTheFileIsUnreadable(@TempDir Path dir) throws IOException {
    // Given
    var folder = Files.createDirectory(dir.resolve("cluster.yaml"));

    // When
    var error = catchThrowableOfType(InventoryException.class, () -> InventoryReader.read(folder));

    // Then
    assertThat(error.getMessage()).isEqualTo(folder + ": cannot read the inventory: it is a directory");
  }

  @Test
  void everyMistakeIsReportedNotJustTheFirst() {
    // Given: a file with a bad CIDR, a bad duration and a bad taint
    var text = """
        apiVersion: slipway.dev/v1
        kind: Cluster
        metadata: {name: many}
        spec:
          provider: local
          hosts:
            - {name: m1, address: 127.0.30.1, roles: [master], rootDir: m1, taints: [nope]}
          network: {podCIDR: 10.0.0.0/40}
          pki: {caValidity: soon}
        """;

    // When
    var error = catchThrowableOfType(InventoryException.class, () -> InventoryReader.read(write(text)));

    // Then
    assertThat(error.problems()).extracting(InventoryProblem::field)
        .containsExactly("spec.hosts[0].taints[0]", "spec.network.podCIDR", "spec.pki.caValidity");
    assertThat(error.problems()).extracting(InventoryProblem::line).containsExactly(7, 8, 9);
  }

  @TempDir
  Path temp;

  private Path write(String text) {
    try {
      return Files.writeString(temp.resolve("inventory.yaml"), text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
