package dev.slipway.provisioner.up;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.provisioner.inventory.Host;
import dev.slipway.provisioner.inventory.HostAccess;
import dev.slipway.provisioner.inventory.Role;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AgentLaunchSettingsTest {

  static Host host(String name, Role... roles) {
    return new Host(name, "10.0.0.1", EnumSet.copyOf(Arrays.asList(roles)), Map.of(), List.of(),
        new HostAccess.Local(Path.of("/tmp/" + name)));
  }

  @ParameterizedTest
  @CsvSource({
      "master,             control-plane",
      "master etcd,        control-plane",
      "master etcd worker, control-plane",
      "worker,             node",
      "etcd,               node",
      "etcd worker,        node",
  })
  void theProfileFollowsTheHostsRoles(String roles, String profile) {
    // Given
    var host = host("h1", Arrays.stream(roles.split(" ")).map(w -> Role.valueOf(w.toUpperCase())).toArray(Role[]::new));

    // When
    var settings = AgentLaunchSettings.of(host);

    // Then
    assertThat(settings.profile()).isEqualTo(profile);
  }

  @Test
  void aWorkersAgentGetsTheSerialCollectorAndASmallCappedHeap() {
    // When
    var options = AgentLaunchSettings.of(host("w1", Role.WORKER)).javaOptions();

    // Then
    assertThat(options).contains("-XX:+UseSerialGC", "-Xmx64m", "-XX:TieredStopAtLevel=1", "-Dio.netty.allocator.type=unpooled");
    assertThat(options).noneMatch(o -> o.startsWith("-XX:MaxRAMPercentage"));
  }

  @Test
  void aMastersAgentKeepsG1AndAHeapThatGrowsWithTheMachine() {
    // When
    var options = AgentLaunchSettings.of(host("m1", Role.MASTER, Role.ETCD)).javaOptions();

    // Then
    assertThat(options).contains("-XX:+UseG1GC", "-XX:MaxRAMPercentage=25");
    assertThat(options).noneMatch(o -> o.startsWith("-Xmx") || o.equals("-XX:+UseSerialGC"));
  }

  @Test
  void aMastersAgentCompilesOnlyCodeThatRunsOftenButWithBothCompilers() {
    // When
    var options = AgentLaunchSettings.of(host("m1", Role.MASTER, Role.ETCD)).javaOptions();

    // Then: its start does not keep the compiler threads busy, and the API server's hot paths still reach C2
    assertThat(options).contains("-XX:CompileThresholdScaling=4");
    assertThat(options).noneMatch(o -> o.startsWith("-XX:TieredStopAtLevel"));
  }

  @Test
  void theEnvFileHoldsOneLinePerKeyAndNamesTheHostAndItsRoles() {
    // Given
    var host = host("worker-1", Role.WORKER);

    // When
    var text = AgentLaunchSettings.of(host).envFile(host);

    // Then
    var keys = text.lines().filter(l -> !l.startsWith("#"))
        .collect(Collectors.toMap(l -> l.substring(0, l.indexOf('=')), l -> l.substring(l.indexOf('=') + 1)));
    assertThat(keys).containsOnlyKeys("SLIPWAY_AGENT_PROFILE", "SLIPWAY_AGENT_DEFAULT_JAVA_OPTS", "MALLOC_ARENA_MAX");
    assertThat(keys.get("SLIPWAY_AGENT_DEFAULT_JAVA_OPTS").split(" ")).containsExactlyElementsOf(AgentLaunchSettings.NODE.javaOptions());
    assertThat(text.lines().filter(l -> l.startsWith("#"))).anyMatch(l -> l.contains("worker-1 (roles: worker)"));
  }

  @Test
  void noOptionHoldsASpaceOrAQuoteBecauseTheLauncherSplitsAtSpaces() {
    for (var settings : new AgentLaunchSettings[] {AgentLaunchSettings.CONTROL_PLANE, AgentLaunchSettings.NODE}) {
      assertThat(settings.javaOptions()).as(settings.profile()).allMatch(o -> !o.isBlank() && o.chars().noneMatch(c -> c == ' ' || c == '"' || c == '\''));
      assertThat(settings.environment().values()).as(settings.profile()).allMatch(v -> v.chars().noneMatch(c -> c == '\n'));
    }
  }
}
