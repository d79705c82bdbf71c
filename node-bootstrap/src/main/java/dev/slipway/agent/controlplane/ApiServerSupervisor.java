package dev.slipway.agent.controlplane;

import dev.slipway.agent.config.ApiServerSection;
import dev.slipway.agent.snapshot.EtcdAccess;
import dev.slipway.controlplane.Backoff;
import dev.slipway.controlplane.apiserver.ApiServer;
import dev.slipway.controlplane.apiserver.ApiServerConfig;
import dev.slipway.controlplane.storage.EtcdConnection;
import io.etcd.jetcd.Client;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the control plane's API server inside the agent on a master: waits until etcd answers a
 * quorum read (on a new cluster the other masters may still be starting), then starts the server,
 * retrying with back-off while etcd or a file is not ready.
 */
public final class ApiServerSupervisor implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ApiServerSupervisor.class);
  private static final Backoff RETRY = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30));

  private final ApiServerSection section;
  private final CountDownLatch stopping = new CountDownLatch(1);
  private volatile ApiServer server;
  private Thread starter;

  public ApiServerSupervisor(ApiServerSection section) {
    this.section = section;
  }

  public synchronized void start() {
    starter = Thread.ofPlatform().name("apiserver-start").daemon().start(this::startWhenEtcdIsReady);
  }

  /** The API server's URL once it serves. */
  public Optional<URI> url() {
    ApiServer s = server;
    return s == null ? Optional.empty() : Optional.of(s.url());
  }

  private void startWhenEtcdIsReady() {
    int failures = 0;
    EtcdAccess etcd = new EtcdAccess(section.etcdEndpoints(), section.etcdCaCert(), section.etcdClientCert(), section.etcdClientKey());
    while (stopping.getCount() > 0) {
      try (Client client = etcd.connect()) {
        if (EtcdAccess.healthy(client, Duration.ofSeconds(5))) {
          ApiServer started = ApiServer.start(config());
          synchronized (this) {
            if (stopping.getCount() == 0) {
              started.close();
              return;
            }
            server = started;
          }
          log.info("API server serving at {}", started.url());
          return;
        }
        log.info("API server waits for etcd quorum at {}", section.etcdEndpoints());
        failures++;
      } catch (RuntimeException e) {
        failures++;
        log.warn("API server could not start: {}; retrying in {}s", e.getMessage(), RETRY.delay(failures).toSeconds());
      }
      try {
        if (stopping.await(RETRY.delay(failures).toMillis(), TimeUnit.MILLISECONDS)) {
          return;
        }
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private ApiServerConfig config() {
    return new ApiServerConfig(section.bindAddress(), section.port(), section.servingCert(), section.servingKey(), section.clientCa(),
        EtcdConnection.mutualTls(section.etcdEndpoints(), section.etcdCaCert(), section.etcdClientCert(), section.etcdClientKey()),
        section.encryptionKeyFile(), section.serviceCidr(), section.nodePortFirst(), section.nodePortLast(),
        section.serviceAccountPublicKey());
  }

  @Override
  public void close() {
    stopping.countDown();
    Thread t = starter;
    if (t != null) {
      t.interrupt();
      try {
        t.join(Duration.ofSeconds(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (this) {
      if (server != null) {
        server.close();
        server = null;
        log.info("API server stopped");
      }
    }
  }
}
