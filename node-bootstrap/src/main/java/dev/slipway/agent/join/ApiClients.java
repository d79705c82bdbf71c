package dev.slipway.agent.join;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.model.jackson.Jackson2JdkTypesModule;
import java.net.URI;
import java.util.List;
import javax.net.ssl.KeyManager;
import tools.jackson.databind.json.JsonMapper;

/** The one way the agent builds its fabric8 clients: never from ~/.kube or the environment, always with the cluster's trust. */
public final class ApiClients {

  /**
   * Knows only the kinds a node reads (watch events and errors included): fabric8's default mapping
   * loads every model class it ships, some 550 more classes of metaspace on a worker than it needs.
   */
  private static final KubernetesSerialization SERIALIZATION = nodeSerialization();

  private ApiClients() {}

  /** What went wrong talking to the API, with the causes fabric8 wraps behind "An error has occurred". */
  public static String describe(RuntimeException e) {
    var text = new StringBuilder(String.valueOf(e.getMessage()));
    for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
      text.append(": ").append(cause.getClass().getSimpleName()).append(' ').append(cause.getMessage());
    }
    return text.toString();
  }

  private static KubernetesSerialization nodeSerialization() {
    var serialization = new KubernetesSerialization(
        JsonMapper.builderWithJackson2Defaults().addModule(new Jackson2JdkTypesModule()).build(), false);
    List.of(Pod.class, Node.class, Lease.class, CertificateSigningRequest.class, Event.class, Status.class)
        .forEach(serialization::registerKubernetesResource);
    return serialization;
  }

  /** A client that authenticates with a bearer token (the bootstrap token, before the node has a certificate). */
  public static KubernetesClient withToken(URI url, String token, ApiServerTrust trust) {
    Config config = nodeConfig(url);
    config.setOauthToken(token);
    return build(config, new KeyManager[0], trust);
  }

  /** A client that presents the node's certificate, re-read from its files when it is renewed. */
  public static KubernetesClient withCertificate(URI url, RotatingKeyManager identity, ApiServerTrust trust) {
    return build(nodeConfig(url), identity.asArray(), trust);
  }

  /** The settings of every node client: its API server, timeouts, retries and HTTP watches. */
  public static Config nodeConfig(URI url) {
    Config config = new ConfigBuilder(Config.empty()).withMasterUrl(url.toString()).build();
    config.setConnectionTimeout(10_000);
    config.setRequestTimeout(30_000);
    config.setRequestRetryBackoffLimit(2);
    // HTTP watches (chunked streams), as every Slipway component uses them; WebSocket watches are served too, for other clients.
    config.setOnlyHttpWatches(true);
    return config;
  }

  private static KubernetesClient build(Config config, KeyManager[] keys, ApiServerTrust trust) {
    return new KubernetesClientBuilder().withConfig(config).withKubernetesSerialization(SERIALIZATION)
        .withHttpClientBuilderConsumer(builder -> builder.sslContext(keys, trust.asArray()))
        .build();
  }
}
