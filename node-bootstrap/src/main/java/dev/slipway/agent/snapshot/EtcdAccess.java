package dev.slipway.agent.snapshot;

import dev.slipway.agent.config.EtcdMemberConfig;
import dev.slipway.pki.PkiException;
import dev.slipway.pki.TlsIdentity;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * How to reach etcd over mutual TLS: endpoints plus a CA and a client certificate and key (PEM).
 * The agent uses its member's server certificate (which also carries clientAuth); the provisioner
 * uses its own etcd client certificate.
 */
public record EtcdAccess(List<URI> endpoints, Path caCert, Path clientCert, Path clientKey) {

  static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

  public EtcdAccess {
    endpoints = List.copyOf(endpoints);
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("at least one etcd endpoint is needed");
    }
  }

  /** This member's own client URL with its server certificate. */
  public static EtcdAccess ofMember(EtcdMemberConfig member) {
    return new EtcdAccess(List.of(member.clientUrl()), member.tls().caCert(), member.tls().serverCert(), member.tls().serverKey());
  }

  /** A jetcd client; the caller closes it. */
  public Client connect() {
    try {
      return Client.builder()
          .endpoints(endpoints)
          .connectTimeout(Duration.ofSeconds(5))
          // The key manager from the pki module: Netty's own (from the files) wraps the key in a key store at the JDK's costly default.
          .sslContext(ssl -> ssl.trustManager(caCert.toFile()).keyManager(TlsIdentity.load(clientCert, clientKey).keyManagerFactory()))
          .build();
    } catch (javax.net.ssl.SSLException | PkiException | IllegalArgumentException e) {
      throw new IllegalStateException("cannot set up TLS to etcd " + endpoints + " with " + clientCert + ": " + e.getMessage(), e);
    }
  }

  /**
   * Whether the member answers a quorum read within the timeout, as {@code etcdctl endpoint health}
   * judges it; a member cut off from its majority is not healthy.
   */
  public static boolean healthy(Client client, Duration timeout) {
    try {
      client.getKVClient().get(ByteSequence.from("health", StandardCharsets.UTF_8)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (ExecutionException | TimeoutException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
