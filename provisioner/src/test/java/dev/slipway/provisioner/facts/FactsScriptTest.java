package dev.slipway.provisioner.facts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.provisioner.facts.HostFacts.InitSystem;
import dev.slipway.provisioner.facts.HostFacts.JavaRuntime;
import dev.slipway.provisioner.facts.HostFacts.ListeningSocket;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FactsScriptTest {
  /** Captured from a Debian 12 host with ss, three JDKs and an API server already listening. */
  static final String DEBIAN = """
      os=Debian GNU/Linux 12 (bookworm)
      os_id=debian
      arch=x86_64
      kernel=6.1.0-18-amd64
      cpus=4
      mem_kib=8138464
      disk_path=/var/lib
      disk_free_kib=30720000
      init=systemd
      tool_sh=/usr/bin/sh
      tool_sha256sum=/usr/bin/sha256sum
      tool_tar=/usr/bin/tar
      tool_ss=/usr/bin/ss
      proc_net_tcp=yes
      listen=0.0.0.0:22
      listen=10.77.0.11:6443
      listen=127.0.0.1:2379
      listen=[::]:10250
      listen=127.0.0.53%lo:53
      listen=[::ffff:10.77.0.11]:2380
      java=/usr/lib/jvm/java-17-openjdk-amd64/bin/java 17.0.15
      java=/usr/lib/jvm/java-17-openjdk-amd64/bin/java 17.0.15
      java=/usr/lib/jvm/temurin-21-jdk-amd64/bin/java 21.0.4
      java=/opt/old/bin/java 1.8.0_392
      """;

  /** A busybox host without ss: listening sockets come from /proc/net/tcp and tcp6. */
  static final String BUSYBOX = """
      os=Alpine Linux v3.20
      os_id=alpine
      arch=aarch64
      kernel=6.6.1
      cpus=1
      mem_kib=1000000
      disk_path=/
      disk_free_kib=1000
      init=none
      tool_sh=/bin/sh
      tool_tar=/bin/tar
      proc_net_tcp=yes
      proc_listen=0100007F:094B
      proc_listen=0B004D0A:192B
      proc_listen=00000000000000000000000000000000:280A
      proc_listen=0000000000000000FFFF00000B004D0A:094C
      slipway_running=yes
      """;

  @Test
  void aDebianHostsFactsAreRead() {
    // When
    var facts = FactsScript.parse(DEBIAN, Duration.ofMillis(12));

    // Then
    assertThat(facts.os()).isEqualTo("Debian GNU/Linux 12 (bookworm)");
    assertThat(facts.osId()).isEqualTo("debian");
    assertThat(facts.arch()).isEqualTo("x86_64");
    assertThat(facts.kernel()).isEqualTo("6.1.0-18-amd64");
    assertThat(facts.cpus()).isEqualTo(4);
    assertThat(facts.memoryBytes()).isEqualTo(8138464L * 1024);
    assertThat(facts.freeDiskBytes()).isEqualTo(30720000L * 1024);
    assertThat(facts.diskPath()).isEqualTo("/var/lib");
    assertThat(facts.initSystem()).isEqualTo(InitSystem.SYSTEMD);
    assertThat(facts.clockSkew()).isEqualTo(Duration.ofMillis(12));
    assertThat(facts.tools()).containsOnlyKeys("sh", "sha256sum", "tar", "ss");
    assertThat(facts.slipwayRunning()).isFalse();
  }

  @Test
  void onlyTheWatchedPortsAreKeptFromSsOutput() {
    // When
    var facts = FactsScript.parse(DEBIAN, Duration.ZERO);

    // Then
    assertThat(facts.listening()).containsExactly(new ListeningSocket("10.77.0.11", 6443),
        new ListeningSocket("127.0.0.1", 2379), new ListeningSocket("::", 10250),
        new ListeningSocket("10.77.0.11", 2380));
  }

  @Test
  void javaRuntimesAreDeduplicatedNewestFirstAndOldVersionNumbersUnderstood() {
    // When
    var facts = FactsScript.parse(DEBIAN, Duration.ZERO);

    // Then
    assertThat(facts.javaRuntimes()).containsExactly(
        new JavaRuntime("/usr/lib/jvm/temurin-21-jdk-amd64/bin/java", 21),
        new JavaRuntime("/usr/lib/jvm/java-17-openjdk-amd64/bin/java", 17),
        new JavaRuntime("/opt/old/bin/java", 8));
    assertThat(facts.javaAtLeast(21)).map(JavaRuntime::featureVersion).contains(21);
  }

  @Test
  void procNetTcpIsTheFallbackWithoutSs() {
    // When
    var facts = FactsScript.parse(BUSYBOX, Duration.ZERO);

    // Then
    assertThat(facts.listening()).containsExactly(new ListeningSocket("127.0.0.1", 2379),
        new ListeningSocket("10.77.0.11", 6443), new ListeningSocket("::", 10250),
        new ListeningSocket("10.77.0.11", 2380));
    assertThat(facts.tools()).isEqualTo(Map.of("sh", "/bin/sh", "tar", "/bin/tar"));
    assertThat(facts.procNetTcp()).isTrue();
    assertThat(facts.slipwayRunning()).isTrue();
    assertThat(facts.initSystem()).isEqualTo(InitSystem.NONE);
    assertThat(facts.javaRuntimes()).isEmpty();
  }

  @Test
  void missingLinesLeaveSafeUnknowns() {
    // When
    var facts = FactsScript.parse("garbage\n=\nos=\n", Duration.ZERO);

    // Then
    assertThat(facts.arch()).isEqualTo("unknown");
    assertThat(facts.cpus()).isZero();
    assertThat(facts.memoryBytes()).isZero();
  }

  @ParameterizedTest(name = "remote {0}, local {1}..{2} -> {3}")
  @CsvSource({
      "1700000010.500000000, 1700000010000000000, 1700000011000000000, PT0S",
      "1700000013.5, 1700000010000000000, 1700000011000000000, PT3S",
      "1700000005.25, 1700000010000000000, 1700000010500000000, PT-5S",
      "1700000010.N, 1700000010000000000, 1700000010000000000, PT0S"})
  void clockSkewTakesTheRemoteReadingAtHalfTheRoundTrip(String remote, long before, long after, Duration expected) {
    assertThat(FactsScript.clockSkew(remote + "\n", before, after)).isEqualTo(expected);
  }

  @Test
  void anUnreadableClockIsAnError() {
    assertThatThrownBy(() -> FactsScript.clockSkew("date: invalid", 0, 0))
        .hasMessageContaining("cannot read the host's clock from \"date: invalid\"");
  }
}
