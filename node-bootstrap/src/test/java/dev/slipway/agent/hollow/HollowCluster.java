package dev.slipway.agent.hollow;

import dev.slipway.agent.join.ApiServerTrust;
import dev.slipway.agent.kubelet.ClusterFixture;
import dev.slipway.pki.TrustedCertificates;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * A real control plane (etcd and the API server on loopback, from {@link ClusterFixture}) with any
 * number of {@link HollowNode}s joined to it, each with its own identity; kubemark's setup in one JVM.
 */
public final class HollowCluster implements AutoCloseable {

  private final ClusterFixture fixture;
  private final List<HollowNode> nodes = Collections.synchronizedList(new ArrayList<>());
  private final HollowClients clients = new HollowClients();

  private HollowCluster(ClusterFixture fixture) {
    this.fixture = fixture;
  }

  /** Starts etcd and an API server under {@code directory}; no nodes yet. */
  public static HollowCluster start(Path directory) {
    return new HollowCluster(ClusterFixture.start(directory.resolve("cluster")));
  }

  /**
   * Issues identities for and starts hollow nodes {@code hollow-<first>} up to {@code hollow-<first+count-1>},
   * {@code parallel} at a time; returns when all have registered and started their kubelets.
   */
  public void addNodes(int first, int count, int parallel) throws InterruptedException {
    URI api = fixture.servers().getFirst().url();
    ApiServerTrust trust = ApiServerTrust.of(TrustedCertificates.load(fixture.caFile()), List.of(api));
    Path directory = fixture.file("nodes");
    NodeCertificates certificates = new NodeCertificates(fixture.ca(), directory, Clock.systemUTC());
    Semaphore slots = new Semaphore(parallel);
    List<Future<HollowNode>> starting = new ArrayList<>();
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = first; i < first + count; i++) {
        int index = i;
        starting.add(threads.submit(() -> {
          slots.acquire();
          try {
            HollowNode node = HollowNode.start(HollowNode.Spec.numbered(index, certificates), clients, api, trust, directory,
                Clock.systemUTC());
            nodes.add(node);
            return node;
          } finally {
            slots.release();
          }
        }));
      }
    }
    for (Future<HollowNode> node : starting) {
      try {
        node.get();
      } catch (ExecutionException e) {
        throw new IllegalStateException("a hollow node did not start: " + e.getCause().getMessage(), e.getCause());
      }
    }
  }

  /** A new client with the cluster's admin identity and plain HTTP watches (as the masters' components use); the caller closes it. */
  public KubernetesClient adminClient() {
    Config config = new ConfigBuilder(Config.empty()).withMasterUrl(fixture.servers().getFirst().url().toString())
        .withCaCertFile(fixture.caFile().toString())
        .withClientCertFile(fixture.file("admin.crt").toString())
        .withClientKeyFile(fixture.file("admin.key").toString())
        .withClientKeyAlgo("EC")
        .withOnlyHttpWatches(true)
        .build();
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /** The cluster's own admin client (shared; do not close). */
  public KubernetesClient admin() {
    return fixture.admin();
  }

  public List<HollowNode> nodes() {
    return List.copyOf(nodes);
  }

  /** How many hollow Nodes the API shows Ready. */
  public int readyNodes() {
    return (int) admin().nodes().withLabel(HollowNode.HOLLOW_LABEL, "true").list().getItems().stream().filter(HollowCluster::isReady).count();
  }

  static boolean isReady(Node node) {
    List<NodeCondition> conditions = node.getStatus() == null || node.getStatus().getConditions() == null ? List.of()
        : node.getStatus().getConditions();
    return conditions.stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** Stops the nodes (in parallel), then the API server and etcd. */
  @Override
  public void close() {
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (HollowNode node : nodes()) {
        threads.submit(node::close);
      }
    }
    nodes.clear();
    clients.close();
    fixture.close();
  }
}
