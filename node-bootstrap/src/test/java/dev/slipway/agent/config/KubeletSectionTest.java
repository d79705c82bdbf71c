package dev.slipway.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KubeletSectionTest {

  @ParameterizedTest(name = "{0} with pod range ''{1}''")
  @CsvSource({
      "process, ''",
      "process, 10.244.1.0/24",
      "containerd, 10.244.1.0/24"})
  void acceptsARuntimeWithTheRangeItNeeds(String runtime, String podCidr) {
    KubeletSection section = section(runtime, podCidr);

    assertThat(section.runtime()).isEqualTo(runtime);
    assertThat(section.podCidr()).isEqualTo(podCidr);
  }

  @ParameterizedTest(name = "{0} with pod range ''{1}''")
  @CsvSource({
      "containerd, '', kubelet.podCidr is required with kubelet.runtime containerd",
      "containerd, 10.244.1.0, kubelet.podCidr must be an IPv4 range",
      "docker, 10.244.1.0/24, kubelet.runtime must be process or containerd, got 'docker'"})
  void refusesASectionItCannotRun(String runtime, String podCidr, String message) {
    assertThatThrownBy(() -> section(runtime, podCidr)).isInstanceOf(InvalidAgentConfigException.class).hasMessageContaining(message);
  }

  private static KubeletSection section(String runtime, String podCidr) {
    return new KubeletSection(List.of(URI.create("https://10.0.0.1:6443")), Path.of("/etc/slipway/pki/ca.crt"), "", runtime, "127.0.0.1",
        KubeletSection.LOAD_BALANCER_PORT, KubeletSection.KUBELET_PORT, Map.of(), List.of(), podCidr);
  }
}
