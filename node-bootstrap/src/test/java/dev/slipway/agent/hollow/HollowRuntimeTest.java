package dev.slipway.agent.hollow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.agent.runtime.ContainerRuntimeException;
import dev.slipway.agent.runtime.ContainerSpec;
import dev.slipway.agent.runtime.ContainerState;
import dev.slipway.agent.runtime.SandboxSpec;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HollowRuntimeTest {

  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  private final HollowRuntime runtime = new HollowRuntime("10.1.2.", "127.1.2.1", Clock.fixed(NOW, ZoneOffset.UTC));

  @Test
  void aSandboxIsReadyAtOnceWithAnAddressFromTheNodesRange() {
    String id = runtime.runPodSandbox(sandbox("a", false));

    assertThat(runtime.podSandboxStatus(id)).hasValueSatisfying(s -> {
      assertThat(s.ready()).isTrue();
      assertThat(s.podIp()).isEqualTo("10.1.2.1");
      assertThat(s.uid()).isEqualTo("uid-a");
    });
  }

  @Test
  void aHostNetworkSandboxHasTheNodesAddress() {
    String id = runtime.runPodSandbox(sandbox("a", true));

    assertThat(runtime.podSandboxStatus(id).orElseThrow().podIp()).isEqualTo("127.1.2.1");
  }

  @Test
  void aStartedContainerRunsAtOnce() {
    String sandbox = runtime.runPodSandbox(sandbox("a", false));
    String id = runtime.createContainer(sandbox, container("main"));

    runtime.startContainer(id);

    assertThat(runtime.containerStatus(id).orElseThrow().state()).isEqualTo(new ContainerState.Running(NOW));
    assertThat(runtime.listContainers(sandbox)).extracting(c -> c.id()).containsExactly(id);
  }

  @Test
  void aStoppedContainerHasExitedCleanly() {
    String sandbox = runtime.runPodSandbox(sandbox("a", false));
    String id = runtime.createContainer(sandbox, container("main"));
    runtime.startContainer(id);

    runtime.stopContainer(id, Duration.ofSeconds(30));

    assertThat(runtime.containerStatus(id).orElseThrow().state()).isEqualTo(new ContainerState.Exited(NOW, NOW, 0, "Completed"));
  }

  @Test
  void stoppingASandboxStopsItsContainersAndRemovingItForgetsThem() {
    String sandbox = runtime.runPodSandbox(sandbox("a", false));
    String id = runtime.createContainer(sandbox, container("main"));
    runtime.startContainer(id);

    runtime.stopPodSandbox(sandbox);

    assertThat(runtime.podSandboxStatus(sandbox).orElseThrow().ready()).isFalse();
    assertThat(runtime.containerStatus(id).orElseThrow().running()).isFalse();
    runtime.removePodSandbox(sandbox);
    assertThat(runtime.listPodSandboxes()).isEmpty();
    assertThat(runtime.containerStatus(id)).isEmpty();
  }

  @Test
  void aContainerCannotBeCreatedInAStoppedSandbox() {
    String sandbox = runtime.runPodSandbox(sandbox("a", false));
    runtime.stopPodSandbox(sandbox);

    assertThatThrownBy(() -> runtime.createContainer(sandbox, container("main")))
        .isInstanceOf(ContainerRuntimeException.class).hasMessageContaining(sandbox).hasMessageContaining("not ready");
  }

  @Test
  void aContainerCannotBeStartedTwice() {
    String sandbox = runtime.runPodSandbox(sandbox("a", false));
    String id = runtime.createContainer(sandbox, container("main"));
    runtime.startContainer(id);

    assertThatThrownBy(() -> runtime.startContainer(id)).isInstanceOf(ContainerRuntimeException.class).hasMessageContaining(id);
  }

  @Test
  void execProbesSucceedOnARunningContainerOnly() {
    String sandbox = runtime.runPodSandbox(sandbox("a", false));
    String id = runtime.createContainer(sandbox, container("main"));

    assertThatThrownBy(() -> runtime.execSync(id, List.of("true"), Duration.ofSeconds(1))).isInstanceOf(ContainerRuntimeException.class);
    runtime.startContainer(id);
    assertThat(runtime.execSync(id, List.of("true"), Duration.ofSeconds(1)).succeeded()).isTrue();
  }

  private static SandboxSpec sandbox(String name, boolean hostNetwork) {
    return new SandboxSpec(name, "default", "uid-" + name, 0, name, Map.of(), hostNetwork, List.of(), Path.of("/tmp/hollow/" + name));
  }

  private static ContainerSpec container(String name) {
    return new ContainerSpec(name, 0, "registry.k8s.io/pause:3.10", List.of(), List.of(), Map.of(), "", List.of(),
        Path.of("/tmp/hollow/" + name + "/0.log"), ContainerSpec.Resources.NONE, Map.of());
  }
}
