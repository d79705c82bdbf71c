package dev.slipway.agent.controlplane;

import dev.slipway.agent.config.AgentPaths;
import dev.slipway.controlplane.Backoff;
import dev.slipway.controlplane.controller.LeaderElectedService;
import dev.slipway.controlplane.controller.LeaderElection;
import dev.slipway.controlplane.controllers.ControllerManager;
import dev.slipway.controlplane.controllers.csr.CsrSigningController;
import dev.slipway.controlplane.controllers.nodelifecycle.NodeLifecycleController;
import dev.slipway.controlplane.scheduler.SchedulerService;
import dev.slipway.pki.CertificateAuthority;
import dev.slipway.pki.TlsIdentity;
import dev.slipway.pki.TrustedCertificates;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler, the controller manager and the CSR signer a master runs in-process once its own
 * API server serves. Each contends for its Lease, so one master at a time acts; they reach the API
 * as {@code system:kube-scheduler} and {@code system:kube-controller-manager} with the client pairs
 * of the catalogue ({@code scheduler.crt}, {@code controller-manager.crt}); the signer needs the
 * cluster CA's key ({@code ca.key}), which masters hold.
 */
public final class ControlPlaneControllers implements AutoCloseable {

  /** The CSR signer's lease: signing twice is harmless but noisy, so one master signs. */
  public static final String SIGNER_LEASE = "slipway-csr-signer";
  private static final Logger log = LoggerFactory.getLogger(ControlPlaneControllers.class);
  private static final Duration POLL = Duration.ofMillis(500);
  private static final Backoff RETRY = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30));

  private final String identity;
  private final AgentPaths paths;
  private final Supplier<Optional<URI>> apiServer;
  private final Duration podEvictionTimeout;
  private final CountDownLatch stopping = new CountDownLatch(1);
  private final List<AutoCloseable> running = new ArrayList<>();
  private Thread starter;

  /**
   * @param identity  this master's name, unique in the cluster (the holder name in each Lease)
   * @param apiServer the local API server's URL once it serves
   */
  public ControlPlaneControllers(String identity, AgentPaths paths, Supplier<Optional<URI>> apiServer) {
    this(identity, paths, apiServer, NodeLifecycleController.Settings.standard().evictionTimeout());
  }

  /** @param podEvictionTimeout how long pods stay on an unreachable node ({@code apiServer.podEvictionTimeout}) */
  public ControlPlaneControllers(String identity, AgentPaths paths, Supplier<Optional<URI>> apiServer, Duration podEvictionTimeout) {
    this.identity = identity;
    this.paths = paths;
    this.apiServer = apiServer;
    this.podEvictionTimeout = podEvictionTimeout;
  }

  public synchronized void start() {
    starter = Thread.ofPlatform().name("controllers-start").daemon().start(this::startWhenApiServes);
  }

  /** Waits for the local API server, then starts; a failed start is undone and retried with back-off (1 s doubling to 30 s). */
  private void startWhenApiServes() {
    int failures = 0;
    try {
      while (stopping.getCount() > 0) {
        Optional<URI> url = apiServer.get();
        if (url.isEmpty()) {
          stopping.await(POLL.toMillis(), TimeUnit.MILLISECONDS);
          continue;
        }
        try {
          startAll(url.get());
          return;
        } catch (RuntimeException e) {
          failures++;
          log.warn("scheduler and controllers did not start: {}; retrying in {}s", e.toString(), RETRY.delay(failures).toSeconds());
          closeRunning();
        }
        if (stopping.await(RETRY.delay(failures).toMillis(), TimeUnit.MILLISECONDS)) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void startAll(URI url) {
    Path pki = paths.pkiDir();
    KubernetesClient schedulerClient = client(url, pki.resolve("scheduler.crt"), pki.resolve("scheduler.key"));
    keep(schedulerClient);
    keep(SchedulerService.start(schedulerClient, SchedulerService.Settings.of(identity)));
    KubernetesClient managerClient = client(url, pki.resolve("controller-manager.crt"),
        pki.resolve("controller-manager.key"));
    keep(managerClient);
    var lifecycle = new NodeLifecycleController.Settings(NodeLifecycleController.Settings.standard().gracePeriod(), podEvictionTimeout);
    keep(ControllerManager.start(managerClient, ControllerManager.Settings.of(identity).withNodeLifecycle(lifecycle)));
    CertificateAuthority ca = CertificateAuthority.load(pki.resolve("ca.crt"), pki.resolve("ca.key"));
    keep(LeaderElectedService.start("csr-signer", managerClient, LeaderElection.Settings.standard("kube-system", SIGNER_LEASE, identity),
        api -> new SignerTerm(api, ca)));
    log.info("{} contends for the scheduler, controller-manager and CSR signer leases at {}", identity, url);
  }

  private synchronized void keep(AutoCloseable component) {
    if (stopping.getCount() == 0) {
      closeQuietly(component);
      throw new IllegalStateException("stopping");
    }
    running.add(component);
  }

  /** Keys and trust go in as a TLS context: fabric8 cannot read PKCS#8 EC keys from a kubeconfig. */
  private KubernetesClient client(URI url, Path certificate, Path key) {
    TlsIdentity identity = TlsIdentity.load(certificate, key);
    TrustedCertificates clusterCa = TrustedCertificates.load(paths.pkiDir().resolve("ca.crt"));
    // HTTP watches (chunked streams), as every Slipway component uses them; WebSocket watches are served too, for other clients.
    Config config = new ConfigBuilder(Config.empty()).withMasterUrl(url.toString()).withOnlyHttpWatches(true).build();
    return new KubernetesClientBuilder().withConfig(config)
        .withHttpClientBuilderConsumer(builder -> builder.sslContext(identity.keyManagerFactory().getKeyManagers(),
            clusterCa.trustManagerFactory().getTrustManagers()))
        .build();
  }

  /** The CSR signer of one term as holder of {@link #SIGNER_LEASE}. */
  private static final class SignerTerm implements LeaderElectedService.Term {
    private final KubernetesClient client;
    private final CertificateAuthority ca;
    private CsrSigningController signer;
    private boolean closed;

    SignerTerm(KubernetesClient client, CertificateAuthority ca) {
      this.client = client;
      this.ca = ca;
    }

    @Override
    public void start() {
      CsrSigningController started = CsrSigningController.start(client, ca, CsrSigningController.DEFAULT_VALIDITY, Clock.systemUTC());
      synchronized (this) {
        if (closed) {
          started.close();
          return;
        }
        signer = started;
      }
      log.info("this master signs certificate signing requests");
    }

    @Override
    public synchronized void close() {
      closed = true;
      if (signer != null) {
        signer.close();
        signer = null;
      }
    }
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
    closeRunning();
  }

  private void closeRunning() {
    List<AutoCloseable> toClose;
    synchronized (this) {
      toClose = new ArrayList<>(running);
      running.clear();
    }
    for (int i = toClose.size() - 1; i >= 0; i--) {
      closeQuietly(toClose.get(i));
    }
  }

  private static void closeQuietly(AutoCloseable component) {
    try {
      component.close();
    } catch (Exception e) {
      log.warn("stopping {} failed: {}", component.getClass().getSimpleName(), e.getMessage());
    }
  }
}
