package dev.slipway.provisioner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SlipwayCommandTest {
  static final String GOOD = "src/test/resources/dev/slipway/provisioner/inventory/good/";
  static final String BAD = "src/test/resources/dev/slipway/provisioner/inventory/bad/";

  @Test
  void versionIsTheProjectVersion() {
    var run = CliRun.of("--version");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).matches("slipway \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\\R");
  }

  @Test
  void helpListsTheRegisteredCommands() {
    var run = CliRun.of("--help");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("inventory", "preflight", "up", "kubeconfig", "certs", "etcd", "completion",
        "--output", "--verbose");
  }

  @Test
  void inventoryCheckSummarisesAValidInventory() {
    var run = CliRun.of("inventory", "check", "-i", GOOD + "local-three-masters.yaml");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).startsWith(GOOD + "local-three-masters.yaml: valid. Cluster \"three\", provider local,"
        + " 3 hosts: 3 master, 3 etcd, 0 worker.");
    assertThat(run.err()).isEmpty();
  }

  @Test
  void inventoryCheckPrintsJsonOnRequest() {
    var run = CliRun.of("--output", "json", "inventory", "check", "-i", GOOD + "minimal-ssh.yaml");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("\"cluster\" : \"solo\"", "\"etcdMembers\" : [ \"only\" ]",
        "not highly available");
  }

  @Test
  void globalOptionsAlsoWorkAfterTheSubcommand() {
    var run = CliRun.of("inventory", "check", "--output", "json", "-i", GOOD + "minimal-ssh.yaml");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).startsWith("{");
  }

  @Test
  void aBadInventoryIsExitCode2WithoutAStackTrace() {
    var run = CliRun.of("inventory", "check", "-i", BAD + "unknown-role.yaml");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().lines()).hasSize(1);
    assertThat(run.err()).doesNotContain("\tat ");
  }

  @Test
  void verboseAddsTheStackTrace() {
    var run = CliRun.of("-v", "inventory", "check", "-i", BAD + "unknown-role.yaml");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("unknown role \"mastr\"", "\tat dev.slipway.provisioner.inventory");
  }

  @Test
  void preflightWithABadInventoryIsExitCode2() {
    var run = CliRun.of("preflight", "-i", BAD + "even-etcd.yaml");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("two members tolerate no loss");
  }

  @Test
  void aMissingRequiredOptionIsExitCode2WithAOneLineReason() {
    var run = CliRun.of("inventory", "check");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).startsWith("slipway: Missing required option: '--inventory=FILE'");
  }

  @Test
  void anUnknownOutputFormatIsRefused() {
    var run = CliRun.of("--output", "yaml", "inventory", "check", "-i", GOOD + "minimal-ssh.yaml");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--output").contains("text, json");
  }

  @Test
  void completionPrintsABashScript() {
    var run = CliRun.of("completion");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("complete -F", "preflight", "inventory");
  }
}
