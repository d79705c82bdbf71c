package dev.slipway.provisioner.preflight;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.provisioner.facts.HostFacts;
import dev.slipway.provisioner.facts.HostFacts.InitSystem;
import dev.slipway.provisioner.facts.HostFacts.JavaRuntime;
import dev.slipway.provisioner.facts.HostFacts.ListeningSocket;
import dev.slipway.provisioner.inventory.Host;
import dev.slipway.provisioner.inventory.HostAccess;
import dev.slipway.provisioner.inventory.Role;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PreflightChecksTest {
  static final Host HOST = new Host("master-1", "10.77.0.11", Set.of(Role.MASTER, Role.ETCD), Map.of(), List.of(),
      new HostAccess.Local(Path.of("/tmp/x")));
  static final long GIB = 1L << 30;

  static HostFacts fit() {
    return new HostFacts("Debian 12", "debian", "x86_64", "6.1", 2, 4 * GIB, 20 * GIB, "/var/lib", InitSystem.SYSTEMD,
        Duration.ofMillis(5), List.of(), false, Map.of("sh", "/bin/sh", "sha256sum", "/usr/bin/sha256sum",
        "tar", "/bin/tar", "ss", "/usr/bin/ss"), true, List.of(new JavaRuntime("/usr/bin/java", 21)));
  }

  static HostCheck named(List<HostCheck> checks, String name) {
    return checks.stream().filter(c -> c.check().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void aFitHostPassesEveryCheckInTableOrder() {
    // When
    var checks = PreflightChecks.check(HOST, fit());

    // Then
    assertThat(checks).extracting(HostCheck::check).containsExactlyElementsOf(PreflightChecks.NAMES);
    assertThat(checks).allMatch(HostCheck::passed);
    assertThat(checks).allMatch(c -> c.remedy().isEmpty());
  }

  @ParameterizedTest(name = "memory {0} bytes: {1}")
  @CsvSource({"1073741824, true", "1073741823, false", "0, false"})
  void memoryNeedsOneGib(long bytes, boolean passes) {
    var facts = fit();
    facts = new HostFacts(facts.os(), facts.osId(), facts.arch(), facts.kernel(), facts.cpus(), bytes, facts.freeDiskBytes(),
        facts.diskPath(), facts.initSystem(), facts.clockSkew(), facts.listening(), false, facts.tools(), true, facts.javaRuntimes());
    assertThat(PreflightChecks.memory(facts).passed()).isEqualTo(passes);
  }

  @ParameterizedTest(name = "disk {0} bytes: {1}")
  @CsvSource({"2147483648, true", "2147483647, false"})
  void diskNeedsTwoGibFree(long bytes, boolean passes) {
    var facts = fit();
    facts = new HostFacts(facts.os(), facts.osId(), facts.arch(), facts.kernel(), facts.cpus(), facts.memoryBytes(), bytes,
        facts.diskPath(), facts.initSystem(), facts.clockSkew(), facts.listening(), false, facts.tools(), true, facts.javaRuntimes());
    assertThat(PreflightChecks.disk(facts).passed()).isEqualTo(passes);
  }

  @ParameterizedTest(name = "skew {0}: {1}")
  @CsvSource({"PT2S, true", "PT-2S, true", "PT2.001S, false", "PT-30S, false"})
  void clockSkewMayBeTwoSecondsEitherWay(Duration skew, boolean passes) {
    var facts = fit();
    facts = new HostFacts(facts.os(), facts.osId(), facts.arch(), facts.kernel(), facts.cpus(), facts.memoryBytes(),
        facts.freeDiskBytes(), facts.diskPath(), facts.initSystem(), skew, facts.listening(), false, facts.tools(), true,
        facts.javaRuntimes());
    assertThat(PreflightChecks.clock(facts).passed()).isEqualTo(passes);
  }

  @ParameterizedTest(name = "{0}:{1} running={2}: {3}")
  @CsvSource({
      "0.0.0.0, 6443, false, false",
      "::, 10250, false, false",
      "10.77.0.11, 2379, false, false",
      "127.0.0.1, 2379, false, true",
      "10.77.0.12, 2380, false, true",
      "0.0.0.0, 6443, true, true"})
  void aWatchedPortIsTakenOnTheHostsAddressOrWildcardUnlessSlipwayRuns(String address, int port, boolean slipway,
                                                                          boolean passes) {
    // Given
    var f = fit();
    var facts = new HostFacts(f.os(), f.osId(), f.arch(), f.kernel(), f.cpus(), f.memoryBytes(), f.freeDiskBytes(),
        f.diskPath(), f.initSystem(), f.clockSkew(), List.of(new ListeningSocket(address, port)), slipway, f.tools(),
        true, f.javaRuntimes());

    // When
    var check = PreflightChecks.ports(HOST, facts);

    // Then
    assertThat(check.passed()).isEqualTo(passes);
  }

  @Test
  void aTakenPortSaysWhichPortAndWhatToDo() {
    var f = fit();
    var facts = new HostFacts(f.os(), f.osId(), f.arch(), f.kernel(), f.cpus(), f.memoryBytes(), f.freeDiskBytes(),
        f.diskPath(), f.initSystem(), f.clockSkew(), List.of(new ListeningSocket("0.0.0.0", 6443)), false, f.tools(),
        true, f.javaRuntimes());

    var check = PreflightChecks.ports(HOST, facts);

    assertThat(check.detail()).isEqualTo("6443 in use");
    assertThat(check.remedy()).startsWith("stop what listens on 6443 on 10.77.0.11");
  }

  @Test
  void missingToolsAndOldJavaFailWithWhatToInstall() {
    // Given: no sha256sum, no ss and no /proc/net/tcp, only Java 17
    var f = fit();
    var facts = new HostFacts(f.os(), f.osId(), f.arch(), f.kernel(), f.cpus(), f.memoryBytes(), f.freeDiskBytes(),
        f.diskPath(), f.initSystem(), f.clockSkew(), List.of(), false, Map.of("sh", "/bin/sh", "tar", "/bin/tar"),
        false, List.of(new JavaRuntime("/usr/bin/java", 17)));

    // When
    var checks = PreflightChecks.check(HOST, facts);

    // Then
    assertThat(named(checks, "TOOLS").detail()).isEqualTo("missing sha256sum, ss (or a readable /proc/net/tcp)");
    assertThat(named(checks, "JAVA").detail()).isEqualTo("only Java 17");
    assertThat(named(checks, "JAVA").remedy()).contains("openjdk-21-jre-headless");
  }

  @Test
  void theTableHasOneRowPerHostAndAdviceForEachFailure() {
    // Given
    var f = fit();
    var oldJava = new HostFacts(f.os(), f.osId(), f.arch(), f.kernel(), f.cpus(), f.memoryBytes(), f.freeDiskBytes(),
        f.diskPath(), f.initSystem(), f.clockSkew(), List.of(), false, f.tools(), true, List.of());
    var report = new PreflightReport(List.of(new PreflightReport.HostReport(HOST, oldJava, PreflightChecks.check(HOST, oldJava))));

    // When
    var table = report.table();

    // Then
    assertThat(table.lines().toList()).startsWith(
        "HOST      ADDRESS     OS         ARCH    CPU  MEM      CPUS  MEMORY  DISK  CLOCK  PORTS  TOOLS  JAVA",
        "master-1  10.77.0.11  Debian 12  x86_64  2    4.0 GiB  OK    OK      OK    OK     OK     OK     FAIL");
    assertThat(table).contains("master-1 JAVA: no Java runtime\n  -> install a Java runtime 21 or newer");
    assertThat(report.passed()).isFalse();
  }
}
