package dev.slipway.agent.kubelet;

import dev.slipway.agent.config.AgentConfig;
import dev.slipway.agent.config.HostIdentity;
import dev.slipway.agent.config.KubeletSection;
import dev.slipway.agent.config.NodeRole;
import dev.slipway.agent.config.SnapshotSchedule;
import dev.slipway.agent.testing.FreePorts;
import dev.slipway.controlplane.apiserver.ApiServer;
import dev.slipway.controlplane.apiserver.ApiServerConfig;
import dev.slipway.controlplane.controllers.csr.CsrSigningController;
import dev.slipway.controlplane.storage.EtcdConnection;
import dev.slipway.controlplane.storage.EtcdTuning;
import dev.slipway.controlplane.storage.SecretEncryption;
import dev.slipway.pki.CertificateAuthority;
import dev.slipway.pki.CertificateSpec;
import dev.slipway.pki.ExtendedUsage;
import dev.slipway.pki.KeyAlgorithm;
import dev.slipway.pki.KeyUsage;
import dev.slipway.pki.Pem;
import dev.slipway.pki.SubjectAltNames;
import dev.slipway.pki.TlsIdentity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A real etcd, a cluster CA, one or more real API servers on 127.0.0.1 (all on the same etcd), an
 * admin fabric8 client, and a bootstrap token; what a worker joins in component tests.
 */
public final class ClusterFixture implements AutoCloseable {

  public static final String TOKEN = "abcdef.0123456789abcdef";

  private final Path directory;
  private final Process etcd;
  private final List<ApiServer> servers = new ArrayList<>();
  private final CertificateAuthority ca;
  private final KubernetesClient admin;
  private final ApiServerConfig config;
  private CsrSigningController signer;

  private ClusterFixture(Path directory, Process etcd, CertificateAuthority ca, ApiServerConfig config, ApiServer first) {
    this.directory = directory;
    this.etcd = etcd;
    this.ca = ca;
    this.config = config;
    this.servers.add(first);
    Config client = new ConfigBuilder(Config.empty()).withMasterUrl(first.url().toString())
        .withCaCertFile(caFile().toString())
        .withClientCertFile(directory.resolve("admin.crt").toString())
        .withClientKeyFile(directory.resolve("admin.key").toString())
        .withClientKeyAlgo("EC").build();
    this.admin = new KubernetesClientBuilder().withConfig(client).build();
  }

  public static ClusterFixture start(Path directory) {
    try {
      Files.createDirectories(directory);
      Instant now = Instant.now();
      CertificateAuthority ca = CertificateAuthority.create(new CertificateSpec("ca", "ca", new CertificateSpec.Issuer.SelfSigned(),
          "slipway-test-ca", List.of(), Set.of(KeyUsage.KEY_CERT_SIGN, KeyUsage.DIGITAL_SIGNATURE), Set.of(),
          SubjectAltNames.NONE, Duration.ofDays(2)), KeyAlgorithm.ECDSA_P256, now);
      Files.writeString(directory.resolve("ca.crt"), Pem.encode(ca.certificate()));
      TlsIdentity serving = issue(ca, "kube-apiserver", List.of(), ExtendedUsage.SERVER_AUTH, SubjectAltNames.of(List.of("127.0.0.1", "localhost")));
      Files.writeString(directory.resolve("apiserver.crt"), Pem.encode(serving.certificate()));
      Files.writeString(directory.resolve("apiserver.key"), Pem.encode(serving.key()));
      TlsIdentity admin = issue(ca, "admin", List.of("system:masters"), ExtendedUsage.CLIENT_AUTH, SubjectAltNames.NONE);
      Files.writeString(directory.resolve("admin.crt"), Pem.encode(admin.certificate()));
      Files.writeString(directory.resolve("admin.key"), Pem.encode(admin.key()));
      TlsIdentity kubeletClient = issue(ca, "kube-apiserver-kubelet-client", List.of("system:masters"), ExtendedUsage.CLIENT_AUTH, SubjectAltNames.NONE);
      Files.writeString(directory.resolve("apiserver-kubelet-client.crt"), Pem.encode(kubeletClient.certificate()));
      Files.writeString(directory.resolve("apiserver-kubelet-client.key"), Pem.encode(kubeletClient.key()));
      TlsIdentity stranger = issue(ca, "someone", List.of(), ExtendedUsage.CLIENT_AUTH, SubjectAltNames.NONE);
      Files.writeString(directory.resolve("someone.crt"), Pem.encode(stranger.certificate()));
      Files.writeString(directory.resolve("someone.key"), Pem.encode(stranger.key()));
      Files.writeString(directory.resolve("sa.pub"), Pem.encode(KeyAlgorithm.ECDSA_P256.generate().getPublic()));
      SecretEncryption.generateKeyFile(directory.resolve("encryption.keys"), "key1");
      int clientPort = FreePorts.on("127.0.0.1");
      int peerPort = FreePorts.on("127.0.0.1");
      ProcessBuilder etcdCommand = new ProcessBuilder("/usr/bin/etcd", "--name", "test", "--data-dir", directory.resolve("etcd").toString(),
          "--listen-client-urls", "http://127.0.0.1:" + clientPort, "--advertise-client-urls", "http://127.0.0.1:" + clientPort,
          "--listen-peer-urls", "http://127.0.0.1:" + peerPort, "--initial-advertise-peer-urls", "http://127.0.0.1:" + peerPort,
          "--initial-cluster", "test=http://127.0.0.1:" + peerPort, "--experimental-watch-progress-notify-interval", "1s")
          .redirectErrorStream(true).redirectOutput(directory.resolve("etcd.log").toFile());
      // Tuned as the agent starts etcd, so the hollow-node benchmark measures the etcd masters run.
      etcdCommand.command().addAll(EtcdTuning.flags());
      etcdCommand.environment().putAll(EtcdTuning.environment());
      Process etcd = etcdCommand.start();
      waitForPort(clientPort);
      ApiServerConfig config = new ApiServerConfig("127.0.0.1", 0, directory.resolve("apiserver.crt"), directory.resolve("apiserver.key"),
          directory.resolve("ca.crt"), EtcdConnection.plaintext(List.of(URI.create("http://127.0.0.1:" + clientPort))),
          directory.resolve("encryption.keys"), "10.96.0.0/16", 30000, 32767, directory.resolve("sa.pub"));
      ApiServer server;
      try {
        server = ApiServer.start(config);
      } catch (RuntimeException e) {
        etcd.destroyForcibly();
        throw e;
      }
      ClusterFixture fixture = new ClusterFixture(directory, etcd, ca, config, server);
      fixture.admin.secrets().inNamespace("kube-system").resource(new SecretBuilder().withNewMetadata().withName("bootstrap-token-abcdef")
          .endMetadata().withType("bootstrap.kubernetes.io/token")
          .withStringData(Map.of("token-id", "abcdef", "token-secret", "0123456789abcdef", "usage-bootstrap-authentication", "true"))
          .build()).create();
      return fixture;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Approves and signs joining nodes' CSRs, as a master's controller manager does; stopped when the fixture closes. */
  public void startCsrSigner() {
    signer = CsrSigningController.start(admin, ca, Duration.ofHours(1), Clock.systemUTC());
  }

  /** {@link #worker(String, Path, List, String, Map, List, String)} without labels, taints or pod range. */
  public AgentConfig worker(String node, Path root, List<URI> apiServers, String runtime) throws IOException {
    return worker(node, root, apiServers, runtime, Map.of(), List.of(), "");
  }

  /**
   * A worker agent's configuration: {@code node} at 127.0.0.1 under {@code root}, joining through {@code apiServers} with the
   * bootstrap token; the cluster CA is copied where the provisioner puts it, and the API load balancer and kubelet API take
   * free ports.
   */
  public AgentConfig worker(String node, Path root, List<URI> apiServers, String runtime, Map<String, String> labels, List<String> taints,
      String podCidr) throws IOException {
    Path clusterCa = root.resolve("etc/slipway/pki/ca.crt");
    Files.createDirectories(clusterCa.getParent());
    Files.copy(caFile(), clusterCa);
    KubeletSection kubelet = new KubeletSection(apiServers, clusterCa, TOKEN, runtime, "127.0.0.1", FreePorts.on("127.0.0.1"),
        FreePorts.on("127.0.0.1"), labels, taints, podCidr);
    return new AgentConfig("demo", new HostIdentity(node, "127.0.0.1", List.of(NodeRole.WORKER)), root, Optional.empty(),
        SnapshotSchedule.DEFAULT, Optional.empty(), Optional.of(kubelet));
  }

  /** Another API server on the same etcd (a second master). */
  public ApiServer addApiServer() {
    ApiServer server = ApiServer.start(config);
    servers.add(server);
    return server;
  }

  public List<ApiServer> servers() {
    return servers;
  }

  public Path caFile() {
    return directory.resolve("ca.crt");
  }

  public Path file(String name) {
    return directory.resolve(name);
  }

  public CertificateAuthority ca() {
    return ca;
  }

  public KubernetesClient admin() {
    return admin;
  }

  private static void waitForPort(int port) {
    org.awaitility.Awaitility.await("etcd listens on 127.0.0.1:" + port).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
        .until(() -> {
          try (Socket socket = new Socket("127.0.0.1", port)) {
            return true;
          } catch (IOException e) {
            return false;
          }
        });
  }

  static TlsIdentity issue(CertificateAuthority ca, String commonName, List<String> organizations, ExtendedUsage usage, SubjectAltNames sans) {
    KeyPair pair = KeyAlgorithm.ECDSA_P256.generate();
    CertificateSpec spec = new CertificateSpec(commonName, commonName, new CertificateSpec.Issuer.SignedBy("ca"), commonName,
        organizations, Set.of(KeyUsage.DIGITAL_SIGNATURE), Set.of(usage), sans, Duration.ofDays(1));
    return new TlsIdentity(pair.getPrivate(), List.of(ca.issue(spec, pair.getPublic(), Instant.now())));
  }

  @Override
  public void close() {
    if (signer != null) {
      signer.close();
    }
    admin.close();
    servers.forEach(server -> {
      try {
        server.close();
      } catch (RuntimeException ignored) {
        // already stopped by a test
      }
    });
    etcd.destroyForcibly();
  }
}
