package dev.slipway.agent.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.agent.config.AgentPaths;
import dev.slipway.agent.testing.FreePorts;
import dev.slipway.agent.testing.TestPki;
import dev.slipway.controlplane.apiserver.ApiServer;
import dev.slipway.controlplane.apiserver.ApiServerConfig;
import dev.slipway.controlplane.storage.EtcdConnection;
import dev.slipway.controlplane.storage.SecretEncryption;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestConditionBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two masters' controllers against a real etcd and the real API server: the CSR signer runs on one
 * master at a time (the holder of its lease) and moves to the other when that master stops.
 */
class ControlPlaneControllersTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path base;
  private TestPki ca;
  private Process etcd;
  private ApiServer server;
  private KubernetesClient manager;

  @BeforeEach
  void startCluster() throws Exception {
    ca = TestPki.create(base.resolve("ca"), "cluster-ca");
    TestPki.Leaf serving = ca.issue("apiserver");
    Path serviceAccountKey = ca.keyPair(base.resolve("sa.pub"));
    Path encryption = base.resolve("encryption.keys");
    SecretEncryption.generateKeyFile(encryption, "key1");
    int clientPort = FreePorts.on("127.0.0.1");
    int peerPort = FreePorts.on("127.0.0.1");
    etcd = new ProcessBuilder("/usr/bin/etcd", "--name", "test", "--data-dir", base.resolve("etcd").toString(),
        "--listen-client-urls", "http://127.0.0.1:" + clientPort, "--advertise-client-urls", "http://127.0.0.1:" + clientPort,
        "--listen-peer-urls", "http://127.0.0.1:" + peerPort, "--initial-advertise-peer-urls", "http://127.0.0.1:" + peerPort,
        "--initial-cluster", "test=http://127.0.0.1:" + peerPort, "--experimental-watch-progress-notify-interval", "1s")
        .redirectErrorStream(true).redirectOutput(base.resolve("etcd.log").toFile()).start();
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> listens(clientPort));
    server = ApiServer.start(new ApiServerConfig("127.0.0.1", 0, serving.cert(), serving.key(), ca.caCert(),
        EtcdConnection.plaintext(List.of(URI.create("http://127.0.0.1:" + clientPort))), encryption, "10.96.0.0/16", 30000, 32767,
        serviceAccountKey));
    TestPki.Leaf managerCert = ca.issue("system:kube-controller-manager");
    manager = new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl(server.url().toString())
        .withCaCertFile(ca.caCert().toString()).withClientCertFile(managerCert.cert().toString())
        .withClientKeyFile(managerCert.key().toString()).withClientKeyAlgo("EC").build()).build();
  }

  @AfterEach
  void stopCluster() throws InterruptedException {
    if (manager != null) {
      manager.close();
    }
    if (server != null) {
      server.close();
    }
    if (etcd != null) {
      etcd.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static boolean listens(int port) {
    try (Socket ignored = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** A master's root with the files the controllers read: the cluster CA and its key, the scheduler's and the manager's client pairs. */
  private AgentPaths master(String name) throws IOException {
    AgentPaths paths = new AgentPaths(base.resolve(name));
    Path pki = Files.createDirectories(paths.pkiDir());
    Files.copy(ca.caCert(), pki.resolve("ca.crt"));
    Files.copy(ca.caCert().resolveSibling("ca.key"), pki.resolve("ca.key"));
    TestPki.install(ca.issue("system:kube-scheduler"), pki, "scheduler");
    TestPki.install(ca.issue("system:kube-controller-manager"), pki, "controller-manager");
    return paths;
  }

  private ControlPlaneControllers start(String name) throws IOException {
    ControlPlaneControllers controllers = new ControlPlaneControllers(name, master(name), () -> Optional.of(server.url()));
    controllers.start();
    return controllers;
  }

  private String signerHolder() {
    Lease lease = manager.leases().inNamespace("kube-system").withName(ControlPlaneControllers.SIGNER_LEASE).get();
    return lease == null || lease.getSpec().getHolderIdentity() == null ? "" : lease.getSpec().getHolderIdentity();
  }

  /** A kubelet client request for {@code node}, approved by hand (the signer only approves bootstrap and node requesters itself). */
  private String requestApproved(String node) throws Exception {
    Path dir = Files.createDirectories(base.resolve("csr-" + node));
    Process openssl = new ProcessBuilder("openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("csr.pem").toString(),
        "-subj", "/O=system:nodes/CN=system:node:" + node).redirectErrorStream(true).start();
    assertThat(openssl.waitFor(30, TimeUnit.SECONDS) && openssl.exitValue() == 0).as("openssl made the request").isTrue();
    String pem = Files.readString(dir.resolve("csr.pem"));
    CertificateSigningRequest created = manager.certificates().v1().certificateSigningRequests().resource(new CertificateSigningRequestBuilder()
        .withNewMetadata().withName("csr-" + node).endMetadata()
        .withNewSpec().withRequest(Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII)))
        .withSignerName("kubernetes.io/kube-apiserver-client-kubelet").withUsages("digital signature", "client auth").endSpec()
        .build()).create();
    CertificateSigningRequest approved = new CertificateSigningRequestBuilder(created).withNewStatus()
        .addToConditions(new CertificateSigningRequestConditionBuilder().withType("Approved").withStatus("True").withReason("TestApproved")
            .withMessage("approved by the test").build())
        .endStatus().build();
    manager.certificates().v1().certificateSigningRequests().resource(approved).subresource("approval").update();
    return created.getMetadata().getName();
  }

  private boolean isSigned(String csr) {
    CertificateSigningRequest current = manager.certificates().v1().certificateSigningRequests().withName(csr).get();
    return current.getStatus() != null && current.getStatus().getCertificate() != null && !current.getStatus().getCertificate().isEmpty();
  }

  @Test
  void theSignerRunsOnTheLeaseHolderAndMovesToTheOtherMasterWhenItStops() throws Exception {
    try (ControlPlaneControllers first = start("master-1"); ControlPlaneControllers second = start("master-2")) {
      await().atMost(WAIT).until(() -> !signerHolder().isEmpty());
      String holder = signerHolder();
      String signedFirst = requestApproved("worker-1");
      await().atMost(WAIT).until(() -> isSigned(signedFirst));

      (holder.equals("master-1") ? first : second).close();

      String other = holder.equals("master-1") ? "master-2" : "master-1";
      await().atMost(WAIT).until(() -> signerHolder().equals(other));
      String signedAfter = requestApproved("worker-2");
      await().atMost(WAIT).until(() -> isSigned(signedAfter));
    }
  }
}
