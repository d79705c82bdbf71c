package dev.slipway.provisioner.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.slipway.agent.config.AgentConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The whole {@code slipway up} on the local provider, as the quickstart runs it: three masters and
 * one worker as folders on 127.0.10.x, the real agent jar, the real etcd, the process runtime; the
 * real kubectl checks the result with the admin kubeconfig. The tests share one cluster and run in
 * order: up with the sample app, kubectl, the app's pods, a re-run, the kubeconfig command.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalClusterComponentTest {
  private static final List<String> HOSTS = List.of("master-1", "master-2", "master-3", "worker-1");
  private Path dir;
  private Path inventory;
  private Path clusterDir;

  @BeforeAll
  void agentJarAndInventory() throws Exception {
    LocalAgents.assumeAgentAndEtcd();
    assumeThat(Path.of("/usr/bin/kubectl")).as("kubectl").isExecutable();
    assumeThat(Path.of("/bin/busybox")).as("busybox (the sample app's httpd)").isExecutable();
    dir = Files.createTempDirectory("slipway-cluster-test");
    clusterDir = dir.resolve("cluster");
    inventory = Files.writeString(dir.resolve("local.yaml"), """
        apiVersion: slipway.dev/v1
        kind: Cluster
        metadata:
          name: clustertest
        spec:
          provider: local
          hosts:
            - {name: master-1, address: 127.0.10.1, roles: [master, etcd], rootDir: hosts/master-1}
            - {name: master-2, address: 127.0.10.2, roles: [master, etcd], rootDir: hosts/master-2}
            - {name: master-3, address: 127.0.10.3, roles: [master, etcd], rootDir: hosts/master-3}
            - {name: worker-1, address: 127.0.10.11, roles: [worker], rootDir: hosts/worker-1}
          controllerManager:
            podEvictionTimeout: 2m
          etcd:
            binary: /usr/bin/etcd
          runtime:
            kind: process
        """);
  }

  @AfterAll
  void stopAgents() throws Exception {
    if (dir == null) { // the class was skipped
      return;
    }
    // Pods outlive a stopped agent (a restarted one adopts them): remove the app first, so no httpd keeps port 8080.
    if (Files.isRegularFile(clusterDir.resolve("admin.kubeconfig"))) {
      var kubeconfig = clusterDir.resolve("admin.kubeconfig").toString();
      new ProcessBuilder("/usr/bin/kubectl", "--kubeconfig", kubeconfig, "delete", "deployment", "hello", "--ignore-not-found")
          .inheritIO().start().waitFor(60, TimeUnit.SECONDS);
      new ProcessBuilder("/usr/bin/kubectl", "--kubeconfig", kubeconfig, "wait", "--for=delete", "pod", "-l", "app=hello", "--timeout=90s")
          .inheritIO().start().waitFor(120, TimeUnit.SECONDS);
    }
    LocalAgents.stop(dir.resolve("hosts"), HOSTS);
  }

  @Test
  @Order(1)
  void upMakesEveryNodeReadyAndRunsTheSampleApp() throws IOException {
    // When
    var run = CliRun.of("up", "-i", inventory.toString(), "--cluster-dir", clusterDir.toString(), "--sample-app");

    // Then
    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    assertThat(run.out()).contains("API servers: 3 of 3 ready", "nodes: 4 of 4 Ready", "deployment default/hello: 2 of 2 replicas available",
            "export KUBECONFIG=" + clusterDir.resolve("admin.kubeconfig"))
        .containsPattern("(?m)^worker-1 +created ");
    assertThat(Files.getPosixFilePermissions(clusterDir.resolve("admin.kubeconfig"))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.getPosixFilePermissions(clusterDir.resolve("encryption.keys"))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.getPosixFilePermissions(dir.resolve("hosts/master-1/etc/slipway/encryption.keys")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(dir.resolve("hosts/worker-1/etc/slipway/encryption.keys")).doesNotExist();
    assertThat(dir.resolve("hosts/worker-1/etc/slipway/pki/ca.key")).doesNotExist();
    assertThat(AgentConfig.read(dir.resolve("hosts/master-1/etc/slipway/agent.yaml")).apiServer().orElseThrow().podEvictionTimeout())
        .isEqualTo(Duration.ofMinutes(2));
  }

  @Test
  @Order(2)
  void kubectlListsEveryNodeReadyWithOnlyTheMastersTainted() throws Exception {
    // When
    var nodes = kubectl("get", "nodes", "-o",
        "jsonpath={range .items[*]}{.metadata.name} {.status.conditions[?(@.type==\"Ready\")].status} {.spec.taints[*].key}{\"\\n\"}{end}");

    // Then
    assertThat(nodes.lines().toList()).containsExactlyInAnyOrder(
        "master-1 True node-role.kubernetes.io/control-plane",
        "master-2 True node-role.kubernetes.io/control-plane",
        "master-3 True node-role.kubernetes.io/control-plane",
        "worker-1 True ");
  }

  @Test
  @Order(3)
  void theDeploymentsPodsRunOnTwoNodesAndAnswerHttp() throws Exception {
    // When
    var pods = kubectl("get", "pods", "-l", "app=hello", "-o",
        "jsonpath={range .items[*]}{.status.phase} {.spec.nodeName} {.status.podIP}{\"\\n\"}{end}").lines().toList();

    // Then
    assertThat(pods).hasSize(2).allSatisfy(line -> assertThat(line).startsWith("Running "));
    assertThat(pods.stream().map(line -> line.split(" ")[1]).distinct()).hasSize(2);
    try (var http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
      for (var pod : pods) {
        var ip = pod.split(" ")[2];
        var response = http.send(HttpRequest.newBuilder(URI.create("http://" + ip + ":8080/")).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(response.body()).startsWith("hello from hello-");
      }
    }
  }

  @Test
  @Order(4)
  void aSecondRunChangesNothingAndSaysUnchanged() throws Exception {
    // Given
    var pids = agentPids();

    // When
    var run = CliRun.of("up", "-i", inventory.toString(), "--cluster-dir", clusterDir.toString());

    // Then
    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    assertThat(run.out()).contains("is unchanged", "nodes: 4 of 4 Ready");
    for (var host : HOSTS) {
      assertThat(run.out()).containsPattern("(?m)^" + host + " +unchanged +-$");
    }
    assertThat(agentPids()).isEqualTo(pids);
  }

  @Test
  @Order(5)
  void kubeconfigPrintsTheAdminKubeconfigOrOnePointingAtAnotherMaster() throws Exception {
    // When
    var plain = CliRun.of("kubeconfig", "-i", inventory.toString(), "--cluster-dir", clusterDir.toString());
    var second = CliRun.of("kubeconfig", "-i", inventory.toString(), "--cluster-dir", clusterDir.toString(), "--server", "master-2");
    var wrong = CliRun.of("kubeconfig", "-i", inventory.toString(), "--cluster-dir", clusterDir.toString(), "--server", "worker-1");

    // Then
    assertThat(plain.exitCode()).isZero();
    assertThat(plain.out()).isEqualTo(Files.readString(clusterDir.resolve("admin.kubeconfig")));
    assertThat(second.exitCode()).isZero();
    assertThat(second.out()).contains("server: \"https://127.0.10.2:6443\"").doesNotContain("127.0.10.1:6443");
    var file = Files.writeString(dir.resolve("second.kubeconfig"), second.out());
    assertThat(kubectlWith(file, "get", "nodes", "-o", "name").lines()).hasSize(4);
    assertThat(wrong.exitCode()).isEqualTo(SlipwayCommand.BAD_INPUT);
    assertThat(wrong.err()).contains("--server worker-1 is not a master", "master-1, master-2, master-3");
  }

  private String kubectl(String... args) throws Exception {
    return kubectlWith(clusterDir.resolve("admin.kubeconfig"), args);
  }

  private static String kubectlWith(Path kubeconfig, String... args) throws Exception {
    var command = new ArrayList<>(List.of("/usr/bin/kubectl", "--kubeconfig", kubeconfig.toString(), "--request-timeout=20s"));
    command.addAll(List.of(args));
    var process = new ProcessBuilder(command).redirectErrorStream(true).start();
    var out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("kubectl %s finished", command).isTrue();
    assertThat(process.exitValue()).as("kubectl %s: %s", command, out).isZero();
    return out;
  }

  private List<String> agentPids() throws IOException {
    var pids = new ArrayList<String>();
    for (var host : HOSTS) {
      pids.add(Files.readString(dir.resolve("hosts").resolve(host).resolve("var/lib/slipway/agent.pid")).strip());
    }
    return pids;
  }

  /** The agent jar built with the same build suffix as these tests. */}
