package dev.slipway.agent.join;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.URI;
import javax.net.ssl.KeyManager;

/** The one way the agent builds its fabric8 clients: never from ~/.kube or the environment, always with the cluster's trust. */
public final class ApiClients {

  private ApiClients() {}

  /** A client that authenticates with a bearer token (the bootstrap token, before the node has a certificate). */
  public static KubernetesClient withToken(URI url, String token, ApiServerTrust trust) {
    Config config = new ConfigBuilder(Config.empty()).withMasterUrl(url.toString()).withOauthToken(token).build();
    return build(config, new KeyManager[0], trust);
  }

  /** A client that presents the node's certificate, re-read from its files when it is renewed. */
  public static KubernetesClient withCertificate(URI url, RotatingKeyManager identity, ApiServerTrust trust) {
    Config config = new ConfigBuilder(Config.empty()).withMasterUrl(url.toString()).build();
    return build(config, identity.asArray(), trust);
  }

  private static KubernetesClient build(Config config, KeyManager[] keys, ApiServerTrust trust) {
    config.setConnectionTimeout(10_000);
    config.setRequestTimeout(30_000);
    config.setRequestRetryBackoffLimit(2);
    // HTTP watches, as everywhere in Slipway: the API server answers WebSocket watches with 503, and each watch restart would pay fabric8's fallback.
    config.setOnlyHttpWatches(true);
    return new KubernetesClientBuilder().withConfig(config)
        .withHttpClientBuilderConsumer(builder -> builder.sslContext(keys, trust.asArray()))
        .build();
  }
}
