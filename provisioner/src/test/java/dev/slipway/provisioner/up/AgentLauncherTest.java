package dev.slipway.provisioner.up;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.provisioner.inventory.Role;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real launcher ({@code templates/slipway-agent}) as installed under a root, with a stand-in
 * {@code java} that records the arguments and environment it was started with (and, in a JDK
 * without a release file, answers the launcher's question for its version).
 */
class AgentLauncherTest {
  private static final Path TEMPLATE = Path.of("..", "templates", "slipway-agent").toAbsolutePath().normalize();
  private static final String FAKE_JAVA = """
      #!/bin/sh
      case "$*" in *-XshowSettings:properties*) echo "    java.specification.version = 25" >&2; exit 0 ;; esac
      printf '%s\\n' "$@" > "$RECORD/args"
      echo "${MALLOC_ARENA_MAX:-unset}" > "$RECORD/malloc"
      echo "${LD_PRELOAD:-unset}" > "$RECORD/preload"
      """;

  @TempDir Path dir;
  private Path root;
  private Path jdk;
  private Path record;

  @BeforeEach
  void install() throws IOException {
    root = dir.resolve("root");
    var bin = Files.createDirectories(root.resolve("opt/slipway/bin"));
    Files.copy(TEMPLATE, bin.resolve("slipway-agent"), StandardCopyOption.COPY_ATTRIBUTES);
    Files.writeString(root.resolve("opt/slipway/slipway-agent.jar"), "not a jar: the stand-in java never opens it");
    jdk = dir.resolve("jdk");
    var java = Files.createDirectories(jdk.resolve("bin")).resolve("java");
    Files.writeString(java, FAKE_JAVA);
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    record = Files.createDirectories(dir.resolve("record"));
    Files.createDirectories(root.resolve("etc/slipway"));
  }

  private List<String> launch(Map<String, String> environment) throws Exception {
    var builder = new ProcessBuilder(root.resolve("opt/slipway/bin/slipway-agent").toString(), "status", "--root", root.toString())
        .directory(Files.createDirectories(dir.resolve("cwd")).toFile())
        .redirectErrorStream(true).redirectOutput(dir.resolve("launcher.out").toFile());
    builder.environment().keySet().removeAll(List.of("SLIPWAY_AGENT_JAVA_OPTS", "MALLOC_ARENA_MAX", "LD_PRELOAD"));
    builder.environment().put("JAVA_HOME", jdk.toString());
    builder.environment().put("RECORD", record.toString());
    builder.environment().putAll(environment);
    var process = builder.start();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("launcher finished").isTrue();
    assertThat(process.exitValue()).as(Files.readString(dir.resolve("launcher.out"))).isZero();
    return Files.readAllLines(record.resolve("args"));
  }

  private List<String> expected(List<String> options) {
    var args = new ArrayList<>(List.of("--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED",
        "-XX:+UseCompactObjectHeaders"));
    args.addAll(options);
    args.addAll(List.of("-jar", root.resolve("opt/slipway/slipway-agent.jar").toString(), "status", "--root", root.toString()));
    return args;
  }

  private void writeSettings(String text) throws IOException {
    Files.writeString(root.resolve("etc/slipway/agent.env"), text);
  }

  @Test
  void theJvmGetsTheOptionsAndEnvironmentThatTheProvisionerWroteForAWorker() throws Exception {
    // Given
    var host = AgentLaunchSettingsTest.host("worker-1", Role.WORKER);
    writeSettings(AgentLaunchSettings.of(host).envFile(host));

    // When
    var args = launch(Map.of());

    // Then
    assertThat(args).containsExactlyElementsOf(expected(AgentLaunchSettings.NODE.javaOptions()));
    assertThat(Files.readString(record.resolve("malloc")).strip()).isEqualTo("2");
  }

  @Test
  void theOperatorsJavaOptsComeLastSoTheyWin() throws Exception {
    // Given
    var host = AgentLaunchSettingsTest.host("worker-1", Role.WORKER);
    writeSettings(AgentLaunchSettings.of(host).envFile(host));

    // When
    var args = launch(Map.of("SLIPWAY_AGENT_JAVA_OPTS", "-Xmx200m -Dsome.flag=1", "MALLOC_ARENA_MAX", "4"));

    // Then
    var options = new ArrayList<>(AgentLaunchSettings.NODE.javaOptions());
    options.addAll(List.of("-Xmx200m", "-Dsome.flag=1"));
    assertThat(args).containsExactlyElementsOf(expected(options));
    assertThat(Files.readString(record.resolve("malloc")).strip()).isEqualTo("4");
  }

  @Test
  void theOperatorsOwnFileOutlastsUpAndComesBeforeTheEnvironment() throws Exception {
    // Given: up's settings, the operator's file (never written by up), and a one-off override
    var host = AgentLaunchSettingsTest.host("worker-1", Role.WORKER);
    writeSettings(AgentLaunchSettings.of(host).envFile(host));
    Files.writeString(root.resolve("etc/slipway/agent.local.env"), """
        # kept across slipway up
        SLIPWAY_AGENT_JAVA_OPTS=-Xmx128m -XX:NativeMemoryTracking=summary
        MALLOC_ARENA_MAX=7
        """);

    // When
    var args = launch(Map.of("SLIPWAY_AGENT_JAVA_OPTS", "-Xmx256m"));

    // Then
    var options = new ArrayList<>(AgentLaunchSettings.NODE.javaOptions());
    options.addAll(List.of("-Xmx128m", "-XX:NativeMemoryTracking=summary", "-Xmx256m"));
    assertThat(args).containsExactlyElementsOf(expected(options));
    assertThat(Files.readString(record.resolve("malloc")).strip()).as("only the Java options are read from it").isEqualTo("2");
  }

  @Test
  void theJavaVersionComesFromTheJdksReleaseFileWithoutStartingAJvm() throws Exception {
    // Given: the release file says 21 where the binary, were it asked, would say 25
    Files.writeString(jdk.resolve("release"), """
        IMPLEMENTOR="Example"
        JAVA_VERSION="21.0.5"
        """);

    // When
    var args = launch(Map.of());

    // Then: none of the options that only Java 22 and newer take
    assertThat(args).containsExactly("-jar", root.resolve("opt/slipway/slipway-agent.jar").toString(), "status", "--root", root.toString());
  }

  @Test
  void withoutASettingsFileTheJvmStartsWithItsOwnDefaults() throws Exception {
    // When
    var args = launch(Map.of());

    // Then
    assertThat(args).containsExactlyElementsOf(expected(List.of()));
    assertThat(Files.readString(record.resolve("malloc")).strip()).isEqualTo("unset");
  }

  @Test
  void linesOtherThanTheKnownKeysAreIgnoredNotExecutedOrExported() throws Exception {
    // Given
    var marker = dir.resolve("ran");
    writeSettings("""
        # comment
        LD_PRELOAD=/tmp/evil.so
        touch %s
        SLIPWAY_AGENT_DEFAULT_JAVA_OPTS=-Xmx32m -XX:+UseSerialGC
        export MALLOC_ARENA_MAX=9
        """.formatted(marker));

    // When
    var args = launch(Map.of());

    // Then
    assertThat(args).containsExactlyElementsOf(expected(List.of("-Xmx32m", "-XX:+UseSerialGC")));
    assertThat(marker).doesNotExist();
    assertThat(Files.readString(record.resolve("preload")).strip()).isEqualTo("unset");
    assertThat(Files.readString(record.resolve("malloc")).strip()).isEqualTo("unset");
  }

  @Test
  void optionsThatLookLikeFileNamePatternsArePassedAsWritten() throws Exception {
    // Given: a pattern that a file in the launcher's working directory matches
    Files.writeString(Files.createDirectories(dir.resolve("cwd")).resolve("-Dpattern=matched"), "");
    writeSettings("SLIPWAY_AGENT_DEFAULT_JAVA_OPTS=-Dpattern=* -Xmx64m\n");

    // When
    var args = launch(Map.of());

    // Then
    assertThat(args).containsExactlyElementsOf(expected(List.of("-Dpattern=*", "-Xmx64m")));
  }
}
