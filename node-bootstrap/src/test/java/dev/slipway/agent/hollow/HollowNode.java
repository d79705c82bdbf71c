package dev.slipway.agent.hollow;

import dev.slipway.agent.config.HostIdentity;
import dev.slipway.agent.config.NodeRole;
import dev.slipway.agent.join.ApiServerTrust;
import dev.slipway.agent.join.CertificateFiles;
import dev.slipway.agent.join.RotatingKeyManager;
import dev.slipway.agent.kubelet.Kubelet;
import dev.slipway.agent.kubelet.PodLogs;
import dev.slipway.agent.node.MachineFacts;
import dev.slipway.agent.node.NodeAgent;
import dev.slipway.agent.node.NodeDescription;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * One hollow node: the agent's real node registration, Lease and status loop ({@link NodeAgent})
 * and real kubelet ({@link Kubelet}, a pod worker per pod), with its own API client and identity,
 * over a {@link HollowRuntime}. What a worker's agent runs (NodeServices) minus the join, the API
 * load balancer and the kubelet's own HTTPS API, which need a port and a CSR each.
 */
public final class HollowNode implements AutoCloseable {

  /** The machine every hollow node claims to be: 4 CPUs, 16 GiB, 100 GiB of disk. */
  static final MachineFacts MACHINE = new MachineFacts(4, 16L << 30, 100L << 30, "amd64", "linux", "Slipway hollow node",
      "hollow", "hollow", "hollow");
  public static final String HOLLOW_LABEL = "slipway.dev/hollow";

  private final String name;
  private final KubernetesClient client;
  private final Kubelet kubelet;
  private final NodeAgent agent;

  private HollowNode(String name, KubernetesClient client, Kubelet kubelet, NodeAgent agent) {
    this.name = name;
    this.client = client;
    this.kubelet = kubelet;
    this.agent = agent;
  }

  /** Registers the node, starts its kubelet and its heartbeats, in the order NodeServices does; the node turns Ready soon after. */
  public static HollowNode start(Spec spec, HollowClients clients, URI apiServer, ApiServerTrust trust, Path logRoot, Clock clock) {
    KubernetesClient client = clients.forNode(apiServer, new RotatingKeyManager(spec.certificate().certificate(), spec.certificate().key()),
        trust);
    try {
      HollowRuntime runtime = new HollowRuntime(spec.podIpPrefix(), spec.address(), clock);
      NodeDescription description = new NodeDescription(new HostIdentity(spec.name(), spec.address(), List.of(NodeRole.WORKER)),
          Map.of(HOLLOW_LABEL, "true"), List.of(), "", MACHINE, runtime.version(), 10250);
      Kubelet kubelet = new Kubelet(client, runtime, spec.name(), spec.address(), new PodLogs(logRoot.resolve(spec.name())), clock);
      NodeAgent agent = new NodeAgent(client, description, kubelet::healthy, clock);
      agent.register();
      kubelet.start();
      agent.start();
      return new HollowNode(spec.name(), client, kubelet, agent);
    } catch (RuntimeException e) {
      client.close();
      throw e;
    }
  }

  /** Who the node is: its name and address, the range its pods' addresses come from, and its client certificate. */
  public record Spec(String name, String address, String podIpPrefix, CertificateFiles certificate) {

    /** The {@code index}-th hollow node: {@code hollow-<index>} at {@code 127.<hi>.<lo>.1}, pods in {@code 10.<hi>.<lo>.0/24}. */
    public static Spec numbered(int index, NodeCertificates certificates) {
      String name = "hollow-" + index;
      return new Spec(name, "127." + (1 + index / 256) + "." + index % 256 + ".1", podIpPrefix(index), certificates.issue(name));
    }

    /** The first three octets (and the dot) of the addresses of the {@code index}-th node's pods. */
    public static String podIpPrefix(int index) {
      return "10." + (1 + index / 256) + "." + index % 256 + ".";
    }
  }

  public String name() {
    return name;
  }

  public Kubelet kubelet() {
    return kubelet;
  }

  @Override
  public void close() {
    agent.close();
    kubelet.close();
    client.close();
  }
}
