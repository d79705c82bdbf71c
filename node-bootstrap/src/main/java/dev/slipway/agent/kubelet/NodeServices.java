package dev.slipway.agent.kubelet;

import dev.slipway.agent.apilb.ApiLoadBalancer;
import dev.slipway.agent.apilb.HealthCheck;
import dev.slipway.agent.config.AgentConfig;
import dev.slipway.agent.config.AgentPaths;
import dev.slipway.agent.config.InvalidAgentConfigException;
import dev.slipway.agent.config.KubeletSection;
import dev.slipway.agent.join.ApiServerTrust;
import dev.slipway.agent.join.CertificateFiles;
import dev.slipway.agent.join.TlsBootstrap;
import dev.slipway.agent.kubelet.api.KubeletServer;
import dev.slipway.agent.node.MachineFacts;
import dev.slipway.agent.node.NodeAgent;
import dev.slipway.agent.node.NodeDescription;
import dev.slipway.agent.runtime.ContainerRuntime;
import dev.slipway.agent.runtime.ImageBundles;
import dev.slipway.agent.runtime.containerd.ContainerdRuntime;
import dev.slipway.agent.runtime.containerd.ContainerdService;
import dev.slipway.agent.runtime.process.ProcessRuntime;
import dev.slipway.pki.TrustedCertificates;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything a machine with a kubelet section runs, in order: the API load balancer, the join
 * (client certificate by CSR) and meanwhile the container runtime (with containerd, this root's
 * containerd and the node's image bundles), the Node and its Lease, the kubelet serving
 * certificate, the kubelet and its API. Closing stops them in reverse; pods keep running
 * (containerd's under their shims).
 */
public final class NodeServices implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(NodeServices.class);

  private final List<AutoCloseable> started = new ArrayList<>();
  private volatile Kubelet kubelet;
  private volatile KubeletServer server;

  private NodeServices() {}

  /** Starts what {@code config.kubelet()} describes; blocks until the node has joined. */
  public static NodeServices start(AgentConfig config) throws InterruptedException {
    return start(config, ContainerdService.Settings::forPodCidr);
  }

  /**
   * As {@link #start(AgentConfig)}, with containerd run as {@code containerd} says for the node's pod
   * range (tests put it in a network namespace of their own).
   */
  public static NodeServices start(AgentConfig config, Function<String, ContainerdService.Settings> containerd) throws InterruptedException {
    KubeletSection section = config.kubelet().orElseThrow(() -> new InvalidAgentConfigException("no kubelet section in the agent configuration"));
    AgentPaths paths = config.paths();
    NodeServices services = new NodeServices();
    try {
      services.run(config, section, paths, containerd);
    } catch (InterruptedException | RuntimeException e) {
      services.close();
      throw e;
    }
    return services;
  }

  private void run(AgentConfig config, KubeletSection section, AgentPaths paths, Function<String, ContainerdService.Settings> containerd)
      throws InterruptedException {
    String node = config.host().name();
    TrustedCertificates clusterCa = TrustedCertificates.load(section.clusterCa());
    ApiServerTrust trust = ApiServerTrust.of(clusterCa, section.apiServers());
    List<InetSocketAddress> backends = section.apiServers().stream().map(u -> new InetSocketAddress(u.getHost(), u.getPort())).toList();
    ApiLoadBalancer balancer = ApiLoadBalancer.start(section.loadBalancerAddress(), section.loadBalancerPort(), backends,
        HealthCheck.readyz(sslContext(trust)));
    started.add(balancer);
    URI apiUrl = URI.create("https://" + hostPort(balancer.address()));
    TlsBootstrap bootstrap = new TlsBootstrap(node, apiUrl, section.bootstrapToken(), trust,
        CertificateFiles.in(paths.pkiDir(), "kubelet-client"), CertificateFiles.in(paths.pkiDir(), "kubelet-server"), Clock.systemUTC());
    started.add(bootstrap);
    // The runtime starts (containerd, the node's images) while the node joins: neither needs the other, and each takes seconds.
    FutureTask<OpenedRuntime> opening = new FutureTask<>(() -> openRuntime(section, paths, config.host().address(), containerd));
    Thread.ofVirtual().name("runtime-start").start(opening);
    try {
      bootstrap.ensureClientCertificate();
    } catch (InterruptedException | RuntimeException e) {
      try {
        adopt(opening);
      } catch (InterruptedException | RuntimeException alsoFailed) {
        e.addSuppressed(alsoFailed);
      }
      throw e;
    }
    ContainerRuntime runtime = adopt(opening);
    KubernetesClient client = bootstrap.nodeClient();
    started.add(client);
    NodeDescription description = new NodeDescription(config.host(), section.labels(), section.taints(), section.podCidr(),
        MachineFacts.of(paths.root()), runtime.version(), section.port());
    Kubelet kubelet = new Kubelet(client, runtime, node, config.host().address(), new PodLogs(paths.logDir()), Clock.systemUTC());
    NodeAgent nodeAgent = new NodeAgent(client, description, kubelet::healthy, Clock.systemUTC());
    nodeAgent.register();
    List<String> servingNames = List.of(config.host().address(), node);
    bootstrap.ensureServingCertificate(client, servingNames);
    bootstrap.startRotation(client, servingNames);
    kubelet.start();
    started.add(kubelet);
    this.kubelet = kubelet;
    nodeAgent.start();
    started.add(nodeAgent);
    KubeletServer server = KubeletServer.start(config.host().address(), section.port(), bootstrap.servingFiles().certificate(),
        bootstrap.servingFiles().key(), section.clusterCa(), kubelet, new PodLogs(paths.logDir()));
    started.add(server);
    this.server = server;
    log.info("node {} runs its kubelet (API on {}:{}, API servers through {})", node, config.host().address(), server.port(), apiUrl);
  }

  /** A started runtime and what was started for it, in the order started. */
  private record OpenedRuntime(ContainerRuntime runtime, List<AutoCloseable> parts) {}

  /**
   * Waits until the runtime has started and takes what it started into {@link #started}, so that closing stops it.
   * Interrupted while it waits, it leaves that start to finish alone; the agent's next start adopts the containerd it left.
   */
  private ContainerRuntime adopt(FutureTask<OpenedRuntime> opening) throws InterruptedException {
    try {
      OpenedRuntime opened = opening.get();
      started.addAll(opened.parts());
      return opened.runtime();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException failure ? failure : new IllegalStateException(e.getCause());
    }
  }

  /** Opens the runtime the section names; on failure, stops what it had started. */
  private static OpenedRuntime openRuntime(KubeletSection section, AgentPaths paths, String address,
      Function<String, ContainerdService.Settings> containerd) {
    return switch (section.runtime()) {
      case "process" -> {
        ContainerRuntime runtime = ProcessRuntime.open(paths, address);
        yield new OpenedRuntime(runtime, List.of(runtime));
      }
      case "containerd" -> openContainerd(section, paths, containerd);
      default -> throw new InvalidAgentConfigException("kubelet.runtime must be process or containerd, got '" + section.runtime() + "'");
    };
  }

  /** Starts (or adopts) this root's containerd with the node's pod range on its CNI bridge, and imports the shipped images. */
  private static OpenedRuntime openContainerd(KubeletSection section, AgentPaths paths,
      Function<String, ContainerdService.Settings> containerd) {
    ContainerdService service = new ContainerdService(paths, containerd.apply(section.podCidr()));
    try {
      service.start();
      ContainerdRuntime runtime = ContainerdRuntime.connect(service.socket(), "ctr");
      try {
        List<String> images = ImageBundles.importAll(runtime, paths.imageBundleDir());
        log.info("containerd at {} holds the node's images {}", service.socket(), images);
      } catch (RuntimeException e) {
        runtime.close();
        throw e;
      }
      return new OpenedRuntime(runtime, List.of(service, runtime));
    } catch (RuntimeException e) {
      try {
        service.close();
      } catch (RuntimeException alsoFailed) {
        e.addSuppressed(alsoFailed);
      }
      throw e;
    }
  }

  private static SSLContext sslContext(ApiServerTrust trust) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.asArray(), null);
      return context;
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String hostPort(InetSocketAddress address) {
    String host = address.getAddress().getHostAddress();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
  }

  public Kubelet kubelet() {
    return kubelet;
  }

  /** The kubelet API's port (10250 unless the config says otherwise). */
  public int kubeletPort() {
    return server.port();
  }

  @Override
  public void close() {
    for (int i = started.size() - 1; i >= 0; i--) {
      try {
        started.get(i).close();
      } catch (Exception e) {
        log.warn("stopping {} failed: {}", started.get(i).getClass().getSimpleName(), e.getMessage());
      }
    }
    started.clear();
  }
}
