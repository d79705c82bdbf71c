package dev.slipway.agent.join;

import dev.slipway.agent.join.CertificateSigningRequests.Issued;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's identity towards the API: joins with the bootstrap token when it has no usable
 * client certificate, then keeps the client and serving certificates fresh by new CSRs
 * (authenticated by the current client certificate) once 80% of their life has passed.
 */
public final class TlsBootstrap implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TlsBootstrap.class);
  private static final Duration SIGNING_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration RETRY = Duration.ofSeconds(30);

  private final String nodeName;
  private final URI apiUrl;
  private final String bootstrapToken;
  private final ApiServerTrust trust;
  private final CertificateFiles client;
  private final CertificateFiles serving;
  private final Clock clock;
  private final CountDownLatch closed = new CountDownLatch(1);
  private Thread rotation;

  public TlsBootstrap(String nodeName, URI apiUrl, String bootstrapToken, ApiServerTrust trust, CertificateFiles client,
      CertificateFiles serving, Clock clock) {
    this.nodeName = nodeName;
    this.apiUrl = apiUrl;
    this.bootstrapToken = bootstrapToken;
    this.trust = trust;
    this.client = client;
    this.serving = serving;
    this.clock = clock;
  }

  public CertificateFiles clientFiles() {
    return client;
  }

  public CertificateFiles servingFiles() {
    return serving;
  }

  /** Makes sure a usable client certificate is on disk: the one there, or a new one obtained with the bootstrap token. */
  public void ensureClientCertificate() throws InterruptedException {
    if (client.usableAt(clock.instant())) {
      return;
    }
    if (bootstrapToken.isEmpty()) {
      throw new IllegalStateException("node " + nodeName + " has no usable client certificate at " + client.certificate()
          + " and no bootstrap token in its configuration (kubelet.bootstrapToken) to request one");
    }
    log.info("node {} joins with its bootstrap token: requesting a client certificate", nodeName);
    try (KubernetesClient bootstrap = ApiClients.withToken(apiUrl, bootstrapToken, trust)) {
      Issued issued = CertificateSigningRequests.request(bootstrap, nodeName, CertificateSigningRequests.KUBELET_CLIENT_SIGNER,
          CertificateSigningRequests.CLIENT_USAGES, List.of(), SIGNING_TIMEOUT);
      client.write(issued.key(), issued.certificatePem());
    }
    log.info("node {} holds its client certificate {}", nodeName, client.certificate());
  }

  /** A client that authenticates as {@code system:node:<name>} with the certificate on disk, following renewals. */
  public KubernetesClient nodeClient() {
    return ApiClients.withCertificate(apiUrl, new RotatingKeyManager(client.certificate(), client.key()), trust);
  }

  /** Makes sure the kubelet API has a serving certificate for these addresses, signed by the cluster. */
  public void ensureServingCertificate(KubernetesClient nodeClient, List<String> subjectAltNames) throws InterruptedException {
    if (serving.usableAt(clock.instant()) && clock.instant().isBefore(serving.renewalTime())) {
      return;
    }
    Issued issued = CertificateSigningRequests.request(nodeClient, nodeName, CertificateSigningRequests.KUBELET_SERVING_SIGNER,
        CertificateSigningRequests.SERVING_USAGES, subjectAltNames, SIGNING_TIMEOUT);
    serving.write(issued.key(), issued.certificatePem());
    log.info("node {} holds its kubelet serving certificate {}", nodeName, serving.certificate());
  }

  /** Renews both certificates in the background at 80% of their life; the serving one for {@code servingNames}. */
  public synchronized void startRotation(KubernetesClient nodeClient, List<String> servingNames) {
    rotation = Thread.ofVirtual().name("certificate-rotation").start(() -> rotate(nodeClient, servingNames));
  }

  private void rotate(KubernetesClient nodeClient, List<String> servingNames) {
    while (closed.getCount() > 0) {
      Instant next = client.renewalTime().isBefore(serving.renewalTime()) ? client.renewalTime() : serving.renewalTime();
      Duration wait = Duration.between(clock.instant(), next);
      try {
        if (!wait.isNegative() && closed.await(wait.toMillis(), TimeUnit.MILLISECONDS)) {
          return;
        }
        if (!clock.instant().isBefore(client.renewalTime())) {
          log.info("node {} renews its client certificate (80% of its life has passed)", nodeName);
          Issued issued = CertificateSigningRequests.request(nodeClient, nodeName, CertificateSigningRequests.KUBELET_CLIENT_SIGNER,
              CertificateSigningRequests.CLIENT_USAGES, List.of(), SIGNING_TIMEOUT);
          client.write(issued.key(), issued.certificatePem());
        }
        if (!clock.instant().isBefore(serving.renewalTime())) {
          ensureServingCertificate(nodeClient, servingNames);
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        log.warn("node {} could not renew a certificate: {}; retrying in {} s", nodeName, e.getMessage(), RETRY.toSeconds());
        try {
          if (closed.await(RETRY.toMillis(), TimeUnit.MILLISECONDS)) {
            return;
          }
        } catch (InterruptedException interrupted) {
          return;
        }
      }
    }
  }

  @Override
  public synchronized void close() {
    closed.countDown();
    if (rotation != null) {
      rotation.interrupt();
    }
  }
}
