package dev.slipway.agent.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * How this machine runs its kubelet: which API servers it reaches (through the node-local load
 * balancer), the cluster CA and bootstrap token it joins with, the container runtime, and the
 * labels and taints the inventory gives its Node.
 *
 * @param apiServers      every master's API URL, e.g. {@code https://10.0.0.1:6443}; the load balancer fails over between them
 * @param clusterCa       the cluster CA certificate (PEM) that signs the API servers' and the kubelet's certificates
 * @param bootstrapToken  {@code <id>.<secret>}; empty once the node holds a client certificate
 * @param runtime         {@code process} or {@code containerd}
 * @param loadBalancerAddress where the node-local API load balancer listens ({@code 127.0.0.1}; the host's own loopback address under the local provider)
 * @param taints          {@code key[=value]:Effect}
 * @param podCidr         this node's pod range (a /24 the provisioner carves from the cluster's pod network), for CNI; required by containerd, empty when unused
 */
public record KubeletSection(
    List<URI> apiServers,
    Path clusterCa,
    String bootstrapToken,
    String runtime,
    String loadBalancerAddress,
    int loadBalancerPort,
    int port,
    Map<String, String> labels,
    List<String> taints,
    String podCidr) {

  public static final int LOAD_BALANCER_PORT = 6444;
  public static final int KUBELET_PORT = 10250;

  public KubeletSection {
    ConfigChecks.required(apiServers, "kubelet.apiServers");
    ConfigChecks.required(clusterCa, "kubelet.clusterCa");
    apiServers = List.copyOf(apiServers);
    if (apiServers.isEmpty()) {
      throw new InvalidAgentConfigException("kubelet.apiServers must list at least one API server URL");
    }
    apiServers.forEach(url -> ConfigChecks.https(url, "kubelet.apiServers"));
    bootstrapToken = bootstrapToken == null ? "" : bootstrapToken.strip();
    if (!bootstrapToken.isEmpty() && !bootstrapToken.matches("[a-z0-9]{6}\\.[a-z0-9]{16}")) {
      throw new InvalidAgentConfigException("kubelet.bootstrapToken must look like abcdef.0123456789abcdef (6 and 16 of [a-z0-9])");
    }
    runtime = runtime == null || runtime.isBlank() ? "process" : runtime;
    if (!List.of("process", "containerd").contains(runtime)) {
      throw new InvalidAgentConfigException("kubelet.runtime must be process or containerd, got '" + runtime + "'");
    }
    loadBalancerAddress = loadBalancerAddress == null || loadBalancerAddress.isBlank() ? "127.0.0.1" : loadBalancerAddress;
    checkPort(loadBalancerPort, "kubelet.loadBalancerPort");
    checkPort(port, "kubelet.port");
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    taints = taints == null ? List.of() : List.copyOf(taints);
    podCidr = podCidr == null ? "" : podCidr.strip();
    if (!podCidr.isEmpty() && !podCidr.matches("\\d+\\.\\d+\\.\\d+\\.\\d+/\\d+")) {
      throw new InvalidAgentConfigException("kubelet.podCidr must be an IPv4 range like 10.244.1.0/24, got '" + podCidr + "'");
    }
    if (podCidr.isEmpty() && runtime.equals("containerd")) {
      throw new InvalidAgentConfigException("kubelet.podCidr is required with kubelet.runtime containerd (the node's pod range for its CNI bridge, e.g. 10.244.1.0/24)");
    }
    for (String taint : taints) {
      if (!taint.matches("[^=:\\s]+(=[^:\\s]*)?:(NoSchedule|PreferNoSchedule|NoExecute)")) {
        throw new InvalidAgentConfigException("kubelet.taints: '" + taint + "' is not key[=value]:NoSchedule|PreferNoSchedule|NoExecute");
      }
    }
  }

  /** Without a pod range (the process runtime needs none). */
  public KubeletSection(List<URI> apiServers, Path clusterCa, String bootstrapToken, String runtime, String loadBalancerAddress,
      int loadBalancerPort, int port, Map<String, String> labels, List<String> taints) {
    this(apiServers, clusterCa, bootstrapToken, runtime, loadBalancerAddress, loadBalancerPort, port, labels, taints, "");
  }

  /** The usual worker: the cluster CA at {@code <pki>/ca.crt}, the load balancer on 127.0.0.1:6444, the kubelet API on 10250. */
  public static KubeletSection standard(AgentPaths paths, List<URI> apiServers, String bootstrapToken, String runtime) {
    return new KubeletSection(apiServers, paths.pkiDir().resolve("ca.crt"), bootstrapToken, runtime, "127.0.0.1",
        LOAD_BALANCER_PORT, KUBELET_PORT, Map.of(), List.of());
  }

  /** The URL the node's components use to reach the API: the load balancer's. */
  public URI loadBalancerUrl() {
    String host = loadBalancerAddress.contains(":") ? "[" + loadBalancerAddress + "]" : loadBalancerAddress;
    return URI.create("https://" + host + ":" + loadBalancerPort);
  }

  private static void checkPort(int port, String field) {
    if (port < 0 || port > 65535) {
      throw new InvalidAgentConfigException(field + " must be between 0 and 65535, got " + port);
    }
  }
}
