package dev.slipway.agent.hollow;

import dev.slipway.agent.join.ApiClients;
import dev.slipway.agent.join.ApiServerTrust;
import dev.slipway.agent.join.RotatingKeyManager;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The API clients of hollow nodes: configured as the agent's own ({@link ApiClients#nodeConfig}, the
 * node's certificate and the cluster's trust), each with its own connections, but all running their
 * callbacks on one virtual-thread executor and sharing one JSON mapper. A real agent's one client has pools and a mapper of its own; a thousand of each in
 * one JVM would cost some 3,500 idle platform threads and 3 GB of Jackson's per-mapper class
 * metadata, and measure the benchmark's packing, not the agent.
 */
public final class HollowClients implements AutoCloseable {

  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final KubernetesSerialization serialization = new KubernetesSerialization();
  private final JdkHttpClientFactory factory = new JdkHttpClientFactory() {
    @Override
    protected HttpClient.Builder createNewHttpClientBuilder() {
      return HttpClient.newBuilder().executor(executor);
    }
  };

  /** A client that presents the node's certificate; closing it leaves the shared executor running. */
  public KubernetesClient forNode(URI url, RotatingKeyManager identity, ApiServerTrust trust) {
    return new KubernetesClientBuilder().withConfig(ApiClients.nodeConfig(url)).withHttpClientFactory(factory).withTaskExecutor(executor)
        .withKubernetesSerialization(serialization)
        .withHttpClientBuilderConsumer(builder -> builder.sslContext(identity.asArray(), trust.asArray()))
        .build();
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
