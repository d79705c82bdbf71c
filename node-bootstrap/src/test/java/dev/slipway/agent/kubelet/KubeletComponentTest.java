package dev.slipway.agent.kubelet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.agent.config.AgentConfig;
import dev.slipway.pki.TlsIdentity;
import dev.slipway.pki.TrustedCertificates;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Component test: a real etcd and API server, the CSR controller, and a worker's node services on
 * the process runtime. The worker joins with a bootstrap token, registers, goes Ready, renews its
 * Lease, runs pods, restarts a killed process, terminates a deleted pod gracefully, adopts its pods
 * after a restart, and serves logs and exec on its kubelet API.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KubeletComponentTest {

  private static final String NODE = "worker-1";
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir static Path base;
  private ClusterFixture cluster;
  private AgentConfig config;
  private NodeServices node;

  @BeforeAll
  void start() throws Exception {
    cluster = ClusterFixture.start(base.resolve("cluster"));
    cluster.startCsrSigner();
    config = cluster.worker(NODE, base.resolve("worker"), List.of(cluster.servers().getFirst().url()), "process",
        Map.of("zone", "lab"), List.of("dedicated=test:NoSchedule"), "");
    node = NodeServices.start(config);
  }

  @AfterAll
  void stop() {
    if (node != null) {
      node.kubelet().pods().forEach(p -> cluster.admin().pods().inNamespace(p.getMetadata().getNamespace())
          .withName(p.getMetadata().getName()).withGracePeriod(0).delete());
      node.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void nodeJoinsWithItsBootstrapTokenAndHoldsAClientCertificateForItsName() throws Exception {
    Path key = config.paths().pkiDir().resolve("kubelet-client.key");
    TlsIdentity identity = TlsIdentity.load(config.paths().pkiDir().resolve("kubelet-client.crt"), key);

    assertThat(identity.certificate().getSubjectX500Principal().getName()).isEqualTo("CN=system:node:" + NODE + ",O=system:nodes");
    identity.certificate().verify(cluster.ca().certificate().getPublicKey());
    assertThat(Files.getPosixFilePermissions(key)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
  }

  @Test
  void nodeRegistersWithLabelsTaintsAndCapacityAndGoesReady() {
    Node registered = await().atMost(WAIT).until(() -> cluster.admin().nodes().withName(NODE).get(), n -> n != null && ready(n));

    assertThat(registered.getMetadata().getLabels()).containsEntry("kubernetes.io/hostname", NODE).containsEntry("zone", "lab")
        .containsKey("node-role.kubernetes.io/worker").containsKey("kubernetes.io/arch");
    assertThat(registered.getSpec().getTaints()).anyMatch(t -> t.getKey().equals("dedicated") && t.getEffect().equals("NoSchedule"));
    assertThat(registered.getStatus().getCapacity()).containsKeys("cpu", "memory", "pods", "ephemeral-storage");
    assertThat(registered.getStatus().getAddresses()).anyMatch(a -> a.getType().equals("InternalIP") && a.getAddress().equals("127.0.0.1"));
  }

  @Test
  void leaseIsRenewed() {
    Lease first = await().atMost(WAIT).until(() -> cluster.admin().leases().inNamespace("kube-node-lease").withName(NODE).get(), l -> l != null);

    await().atMost(Duration.ofSeconds(30)).until(() -> cluster.admin().leases().inNamespace("kube-node-lease").withName(NODE).get()
        .getSpec().getRenewTime().isAfter(first.getSpec().getRenewTime()));
  }

  @Test
  void boundPodRunsWithItsEnvironmentAndItsLogIsReadableThroughTheKubeletApi() throws Exception {
    cluster.admin().configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata().withName("greeting").endMetadata()
        .addToData("word", "hello").build()).create();
    createPod("logs", "echo \"$WORD from $POD_NAME\"; exec sleep 1000", Map.of());

    Pod running = awaitPod("logs", p -> "Running".equals(p.getStatus().getPhase()));
    assertThat(running.getStatus().getPodIP()).isEqualTo("127.0.0.1");
    assertThat(running.getStatus().getConditions()).anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));

    HttpResponse<String> log = await().atMost(WAIT).until(() -> kubeletGet("/containerLogs/default/logs/main", "apiserver-kubelet-client"),
        r -> r.statusCode() == 200 && r.body().contains("hello"));
    assertThat(log.body()).isEqualTo("hello from logs\n");
  }

  @Test
  void kubeletApiRefusesAClientThatIsNotTheApiServer() throws Exception {
    assertThat(kubeletGet("/pods", "someone").statusCode()).isEqualTo(401);
    assertThat(kubeletGet("/pods", "apiserver-kubelet-client").statusCode()).isEqualTo(200);
  }

  @Test
  void kubeletApiHealthzAnswersAnyClientWithTheKubeletsHealth() throws Exception {
    HttpResponse<String> health = kubeletGet("/healthz", "someone");

    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).isEqualTo("ok\n");
    assertThat(node.kubelet().healthy()).isTrue();
  }

  @Test
  void killedProcessIsRestartedAndItsRestartCountGoesUp() throws Exception {
    Path pidFile = base.resolve("restart.pid");
    createPod("restart", "echo $$$$ > " + pidFile + "; exec sleep 1000", Map.of());
    awaitPod("restart", p -> "Running".equals(p.getStatus().getPhase()));
    await().atMost(WAIT).until(() -> Files.exists(pidFile) && !Files.readString(pidFile).isBlank());
    long pid = Long.parseLong(Files.readString(pidFile).strip());

    ProcessHandle.of(pid).orElseThrow().destroyForcibly();

    Pod restarted = awaitPod("restart", p -> container(p).getRestartCount() >= 1 && container(p).getState().getRunning() != null);
    assertThat(container(restarted).getLastState().getTerminated().getExitCode()).isEqualTo(137);
  }

  @Test
  void deletedPodIsTerminatedGracefullyAndItsObjectRemoved() throws Exception {
    Path marker = base.resolve("graceful.txt");
    createPod("graceful", "trap 'echo stopped > " + marker + "; exit 0' TERM; while :; do sleep 1; done", Map.of());
    awaitPod("graceful", p -> "Running".equals(p.getStatus().getPhase()));

    cluster.admin().pods().inNamespace("default").withName("graceful").withGracePeriod(20).delete();

    await().atMost(WAIT).until(() -> cluster.admin().pods().inNamespace("default").withName("graceful").get() == null);
    assertThat(Files.readString(marker).strip()).isEqualTo("stopped");
    assertThat(node.kubelet().runtime().listPodSandboxes()).noneMatch(s -> s.name().equals("graceful"));
  }

  @Test
  void execStreamsOutputAndExitStatusOverWebSocket() throws Exception {
    createPod("exec", "exec sleep 1000", Map.of());
    awaitPod("exec", p -> "Running".equals(p.getStatus().getPhase()));
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    CompletableFuture<String> status = new CompletableFuture<>();
    HttpClient http = HttpClient.newBuilder().sslContext(kubeletClientTls("apiserver-kubelet-client")).build();

    WebSocket socket = http.newWebSocketBuilder().subprotocols("v5.channel.k8s.io", "v4.channel.k8s.io")
        .buildAsync(URI.create("wss://127.0.0.1:" + node.kubeletPort() + "/exec/default/exec/main?command=sh&command=-c&command=echo%20hi;%20exit%203&stdout=true&stderr=true"),
            new WebSocket.Listener() {
              private final ByteArrayOutputStream message = new ByteArrayOutputStream();

              @Override
              public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
                byte[] bytes = new byte[data.remaining()];
                data.get(bytes);
                message.writeBytes(bytes);
                if (last) {
                  byte[] whole = message.toByteArray();
                  message.reset();
                  if (whole.length > 0 && whole[0] == 1) {
                    stdout.write(whole, 1, whole.length - 1);
                  } else if (whole.length > 0 && whole[0] == 3) {
                    status.complete(new String(whole, 1, whole.length - 1, StandardCharsets.UTF_8));
                  }
                }
                webSocket.request(1);
                return null;
              }
            }).get(30, TimeUnit.SECONDS);

    assertThat(socket.getSubprotocol()).isEqualTo("v5.channel.k8s.io");
    assertThat(status.get(30, TimeUnit.SECONDS)).contains("NonZeroExitCode").contains("\"message\":\"3\"");
    assertThat(stdout.toString(StandardCharsets.UTF_8)).isEqualTo("hi\n");
  }

  @Test
  void restartedKubeletAdoptsRunningPodsWithoutRestartingThem() throws Exception {
    createPod("adopted", "exec sleep 1000", Map.of());
    Pod before = awaitPod("adopted", p -> "Running".equals(p.getStatus().getPhase()));
    String containerId = container(before).getContainerID();

    node.close();
    node = NodeServices.start(config);

    await().atMost(WAIT).until(() -> node.kubelet().pod("default", "adopted").isPresent());
    Pod after = awaitPod("adopted", p -> "Running".equals(p.getStatus().getPhase()));
    assertThat(container(after).getContainerID()).isEqualTo(containerId);
    assertThat(container(after).getRestartCount()).isZero();
  }

  // ---- helpers

  private void createPod(String name, String script, Map<String, String> labels) {
    cluster.admin().pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
        .withNewSpec().withNodeName(NODE).withTerminationGracePeriodSeconds(5L)
        .addNewToleration().withOperator("Exists").endToleration()
        .addNewContainer().withName("main").withImage("slipway.dev/busybox:1").withCommand("sh", "-c", script)
        .addNewEnv().withName("POD_NAME").withNewValueFrom().withNewFieldRef().withFieldPath("metadata.name").endFieldRef().endValueFrom().endEnv()
        .addNewEnv().withName("WORD").withNewValueFrom().withNewConfigMapKeyRef().withName("greeting").withKey("word").withOptional(true)
        .endConfigMapKeyRef().endValueFrom().endEnv()
        .endContainer().endSpec().build()).create();
  }

  private Pod awaitPod(String name, java.util.function.Predicate<Pod> condition) {
    return await().atMost(WAIT).until(() -> cluster.admin().pods().inNamespace("default").withName(name).get(),
        p -> p != null && p.getStatus() != null && p.getStatus().getContainerStatuses() != null
            && !p.getStatus().getContainerStatuses().isEmpty() && condition.test(p));
  }

  private static ContainerStatus container(Pod pod) {
    return pod.getStatus().getContainerStatuses().getFirst();
  }

  private static boolean ready(Node node) {
    return node.getStatus() != null && node.getStatus().getConditions() != null
        && node.getStatus().getConditions().stream().anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
  }

  private HttpResponse<String> kubeletGet(String path, String identity) throws Exception {
    HttpClient http = HttpClient.newBuilder().sslContext(kubeletClientTls(identity)).build();
    return http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + node.kubeletPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private javax.net.ssl.SSLContext kubeletClientTls(String identity) {
    return TlsIdentity.load(cluster.file(identity + ".crt"), cluster.file(identity + ".key")).sslContext(TrustedCertificates.load(cluster.caFile()));
  }

}
