package dev.slipway.agent.runtime.containerd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.agent.config.AgentPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The configuration ContainerdService writes, without starting containerd. */
class ContainerdServiceTest {

  @TempDir Path root;

  @Test
  void configurationKeepsEveryPathUnderTheAgentRoot() throws Exception {
    var service = new ContainerdService(new AgentPaths(root), ContainerdService.Settings.forPodCidr("10.244.3.0/24"));

    service.writeConfiguration();

    String config = Files.readString(service.configFile());
    assertThat(config)
        .contains("root = \"" + root + "/var/lib/slipway/containerd\"")
        .contains("state = \"" + root + "/run/slipway/containerd\"")
        .contains("address = \"" + root + "/var/lib/slipway/containerd/containerd.sock\"")
        .contains("restrict_oom_score_adj = true")
        .contains("sandbox_image = \"slipway.dev/pause:1\"")
        .contains("SystemdCgroup = false")
        .contains("bin_dir = \"/usr/lib/cni\"")
        .contains("conf_dir = \"" + root + "/etc/slipway/cni/net.d\"")
        .doesNotContain("{{");
    String cni = Files.readString(service.cniConfDir().resolve("10-slipway.conflist"));
    assertThat(cni).contains("\"subnet\": \"10.244.3.0/24\"", "\"bridge\": \"slipway0\"", "\"type\": \"portmap\"",
        "\"dataDir\": \"" + root + "/var/lib/slipway/cni/networks\"");
  }

  @Test
  void placeholderWithoutAValueIsAnError() {
    assertThatThrownBy(() -> ContainerdService.fill("a = \"{{root}}\"\nb = \"{{missing}}\"", Map.of("root", "/x")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("{{missing}}");
  }

  @ParameterizedTest(name = "pod CIDR \"{0}\", bridge \"{1}\" is refused: {2}")
  @CsvSource({
      "10.244.1.0, slipway0, pod CIDR must be an IPv4 range",
      "fd00::/64, slipway0, pod CIDR must be an IPv4 range",
      "10.244.1.0/24, a-bridge-name-too-long, bridge name must be 1-15",
      "10.244.1.0/24, 'br 0', bridge name must be 1-15"})
  void badSettingsAreRefused(String podCidr, String bridge, String message) {
    assertThatThrownBy(() -> ContainerdService.Settings.forPodCidr(podCidr).withBridge(bridge))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }
}
