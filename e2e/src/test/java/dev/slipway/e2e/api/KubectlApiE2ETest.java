package dev.slipway.e2e.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.e2e.CommandOutput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Real kubectl, 1.32 and Debian's 1.20, against the API servers of the testbed cluster: the
 * everyday commands on a manifest of one object of each common kind. Each test applies the
 * manifest into a namespace of its own and deletes it afterwards.
 */
@Order(10)
class KubectlApiE2ETest {

  @RegisterExtension
  static final ClusterUnderTest cluster = new ClusterUnderTest();

  private final List<String> namespaces = new ArrayList<>();

  static java.util.stream.Stream<Kubectl> kubectls() {
    return ClusterUnderTest.kubectls();
  }

  @AfterEach
  void deleteNamespaces() {
    namespaces.forEach(cluster::deleteNamespace);
  }

  /** The manifest applied by {@code kubectl} itself, for the tests of apply. */
  private String appliedBy(Kubectl kubectl, String what) {
    String namespace = namespace(kubectl, what);
    CommandOutput apply = kubectl.runWithInput(Manifests.read("app.yaml", namespace), "apply", "-f", "-");
    assertThat(apply.succeeded()).as("%s\nup: %s", apply, cluster.upOutput()).isTrue();
    return namespace;
  }

  /** The manifest applied with kubectl 1.32, so that the other commands are judged on their own. */
  private String applied(Kubectl kubectl, String what) {
    String namespace = namespace(kubectl, what);
    ClusterUnderTest.apply(cluster.kubectl(), Manifests.read("app.yaml", namespace));
    return namespace;
  }

  private String namespace(Kubectl kubectl, String what) {
    String namespace = "e2e-" + what + "-" + kubectl.version().replace(".", "") + "-" + Long.toString(System.nanoTime() % 1_000_000, 36);
    namespaces.add(namespace);
    return namespace;
  }

  @ParameterizedTest(name = "kubectl {0}")
  @MethodSource("kubectls")
  void applyOfAMultiDocumentManifestCreatesEveryObject(Kubectl kubectl) {
    // Given
    String namespace = namespace(kubectl, "apply");

    // When
    CommandOutput apply = kubectl.runWithInput(Manifests.read("app.yaml", namespace), "apply", "-f", "-");

    // Then
    assertThat(apply.succeeded()).as("%s\nup: %s", apply, cluster.upOutput()).isTrue();
    assertThat(apply.stdout().lines()).containsExactly(
        "namespace/" + namespace + " created",
        "configmap/app-config created",
        "secret/app-secret created",
        "deployment.apps/app created",
        "service/app created",
        "ingress.networking.k8s.io/app created");
    assertThat(kubectl.ok("get", "-n", namespace, "configmap/app-config", "secret/app-secret", "deployment/app", "service/app",
        "ingress/app", "-o", "name").lines())
        .containsExactly("configmap/app-config", "secret/app-secret", "deployment.apps/app", "service/app",
            "ingress.networking.k8s.io/app");
  }

  @ParameterizedTest(name = "kubectl {0}")
  @MethodSource("kubectls")
  void applyingTheSameManifestAgainLeavesEveryObjectUnchanged(Kubectl kubectl) {
    // Given
    String namespace = appliedBy(kubectl, "again");
    // Not the Deployment: its controller writes its status meanwhile.
    String before = kubectl.ok("get", "-n", namespace, "configmap/app-config", "secret/app-secret", "service/app", "ingress/app",
        "-o", "jsonpath={.items[*].metadata.resourceVersion}");

    // When
    CommandOutput again = kubectl.runWithInput(Manifests.read("app.yaml", namespace), "apply", "-f", "-");

    // Then
    assertThat(again.succeeded()).as(again.toString()).isTrue();
    assertThat(again.stdout().lines()).allSatisfy(line -> assertThat(line).endsWith(" unchanged")).hasSize(6);
    assertThat(kubectl.ok("get", "-n", namespace, "configmap/app-config", "secret/app-secret", "service/app", "ingress/app",
        "-o", "jsonpath={.items[*].metadata.resourceVersion}")).isEqualTo(before);
  }

  @ParameterizedTest(name = "kubectl {0}")
  @MethodSource("kubectls")
  void applyingAnEditedManifestConfiguresOnlyTheEditedObjectAndField(Kubectl kubectl) {
    // Given
    String namespace = appliedBy(kubectl, "edit");
    String serviceVersion = kubectl.ok("get", "-n", namespace, "service/app", "-o", "jsonpath={.metadata.resourceVersion}");

    // When: one value of the ConfigMap changes
    String edited = Manifests.read("app.yaml", namespace).replace("color: blue", "color: green");
    CommandOutput apply = kubectl.runWithInput(edited, "apply", "-f", "-");

    // Then
    assertThat(apply.succeeded()).as(apply.toString()).isTrue();
    assertThat(apply.stdout().lines()).contains("configmap/app-config configured", "deployment.apps/app unchanged",
        "service/app unchanged", "secret/app-secret unchanged");
    assertThat(kubectl.ok("get", "-n", namespace, "configmap/app-config", "-o", "jsonpath={.data.color} {.data.size}"))
        .isEqualTo("green large");
    assertThat(kubectl.ok("get", "-n", namespace, "service/app", "-o", "jsonpath={.metadata.resourceVersion}"))
        .isEqualTo(serviceVersion);
  }

  @ParameterizedTest(name = "kubectl {0}")
  @MethodSource("kubectls")
  void serverSideApplyCreatesThenUpdatesAndRecordsItsManager(Kubectl kubectl) {
    // Given
    String namespace = applied(kubectl, "ssa");
    String configMap = """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: ssa, namespace: %s}
        data: {mode: first}
        """.formatted(namespace);

    // When
    CommandOutput created = kubectl.runWithInput(configMap, "apply", "--server-side", "--field-manager=e2e", "-f", "-");
    CommandOutput updated = kubectl.runWithInput(configMap.replace("first", "second"), "apply", "--server-side",
        "--field-manager=e2e", "-f", "-");

    // Then
    assertThat(created.succeeded()).as(created.toString()).isTrue();
    assertThat(created.stdout()).contains("configmap/ssa serverside-applied");
    assertThat(updated.succeeded()).as(updated.toString()).isTrue();
    assertThat(kubectl.ok("get", "-n", namespace, "configmap/ssa", "-o", "jsonpath={.data.mode}")).isEqualTo("second");
    // kubectl hides managedFields from 1.21 on unless asked; 1.20 shows them and lacks the flag.
    String[] managers = kubectl.version().equals("1.20")
        ? new String[] {"get", "-n", namespace, "configmap/ssa", "-o", "jsonpath={.metadata.managedFields[*].manager}"}
        : new String[] {"get", "-n", namespace, "configmap/ssa", "--show-managed-fields", "-o",
            "jsonpath={.metadata.managedFields[*].manager}"};
    assertThat(kubectl.ok(managers)).contains("e2e");
  }

  @ParameterizedTest(name = "kubectl {0}")
  @MethodSource("kubectls")
  void getPrintsTheUsualColumns(Kubectl kubectl) {
    // Given
    String namespace = applied(kubectl, "get");

    // When
    String deployments = kubectl.ok("get", "-n", namespace, "deployments");
    String services = kubectl.ok("get", "-n", namespace, "services");
    String configMaps = kubectl.ok("get", "-n", namespace, "configmaps", "app-config");
    String wide = kubectl.ok("get", "-n", namespace, "deployments", "-o", "wide");

    // Then
    assertThat(columns(deployments)).containsExactly("NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE");
    assertThat(deployments.lines().skip(1)).singleElement().asString().startsWith("app ").contains("/1");
    assertThat(columns(services)).containsExactly("NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE");
    assertThat(services).containsPattern("(?m)^app +ClusterIP +10\\.96\\.\\d+\\.\\d+ +<none> +80/TCP ");
    assertThat(columns(configMaps)).containsExactly("NAME", "DATA", "AGE");
    assertThat(configMaps).containsPattern("(?m)^app-config +2 ");
    assertThat(columns(wide)).contains("CONTAINERS", "IMAGES", "SELECTOR");
    assertThat(wide).contains("slipway.dev/busybox:1", "app=web");
  }

  private static List<String> columns(String table) {
    assertThat(table).as("a table with a header line").isNotBlank();
    return List.of(table.lines().findFirst().orElseThrow().trim().split("\\s{2,}"));
  }

  @ParameterizedTest(name = "kubectl {0}")
  @MethodSource("kubectls")
  void describeShowsTheDeploymentAndTheConfigMap(Kubectl kubectl) {
    // Given
    String namespace = applied(kubectl, "describe");

    // When
    String deployment = kubectl.ok("describe", "-n", namespace, "deployment", "app");
    String configMap = kubectl.ok("describe", "-n", namespace, "configmap", "app-config");

    // Then
    assertThat(deployment).containsPattern("(?m)^Name: +app$").containsPattern("(?m)^Namespace: +" + namespace + "$")
        .containsPattern("(?m)^Selector: +app=web$").contains("Replicas:", "StrategyType:", "slipway.dev/busybox:1");
    assertThat(configMap).containsPattern("(?m)^Name: +app-config$").contains("color", "blue", "size", "large");
  }

  @ParameterizedTest(name = "kubectl {0}")
  @MethodSource("kubectls")
  void labelAndAnnotateChangeTheObjectsMetadata(Kubectl kubectl) {
    // Given
    String namespace = applied(kubectl, "label");

    // When
    CommandOutput label = kubectl.run("label", "-n", namespace, "configmap", "app-config", "tier=backend");
    CommandOutput annotate = kubectl.run("annotate", "-n", namespace, "configmap", "app-config", "e2e.slipway.dev/note=hello");

    // Then
    assertThat(label.succeeded()).as(label.toString()).isTrue();
    assertThat(label.stdout()).contains("configmap/app-config labeled");
    assertThat(annotate.succeeded()).as(annotate.toString()).isTrue();
    assertThat(annotate.stdout()).contains("configmap/app-config annotated");
    assertThat(kubectl.ok("get", "-n", namespace, "configmaps", "-l", "tier=backend", "-o", "name")).isEqualTo("configmap/app-config\n");
    assertThat(kubectl.ok("get", "-n", namespace, "configmap", "app-config", "-o",
        "jsonpath={.metadata.annotations.e2e\\.slipway\\.dev/note} {.data.color}")).isEqualTo("hello blue");
  }

  @ParameterizedTest(name = "kubectl {0}")
  @MethodSource("kubectls")
  void scaleChangesTheDeploymentsReplicas(Kubectl kubectl) {
    // Given
    String namespace = applied(kubectl, "scale");

    // When
    CommandOutput scale = kubectl.run("scale", "-n", namespace, "deployment", "app", "--replicas=3");

    // Then
    assertThat(scale.succeeded()).as(scale.toString()).isTrue();
    assertThat(scale.stdout()).contains("deployment.apps/app scaled");
    assertThat(kubectl.ok("get", "-n", namespace, "deployment", "app", "-o", "jsonpath={.spec.replicas}")).isEqualTo("3");
    assertThat(kubectl.ok("get", "--raw", "/apis/apps/v1/namespaces/" + namespace + "/deployments/app/scale"))
        .contains("\"kind\":\"Scale\"").containsPattern("\"spec\":\\{\"replicas\":3\\}");
  }

  @ParameterizedTest(name = "kubectl {0}")
  @MethodSource("kubectls")
  void deleteRemovesTheObject(Kubectl kubectl) {
    // Given
    String namespace = applied(kubectl, "delete");

    // When
    CommandOutput delete = kubectl.run("delete", "-n", namespace, "configmap/app-config", "service/app");

    // Then
    assertThat(delete.succeeded()).as(delete.toString()).isTrue();
    assertThat(delete.stdout()).contains("configmap \"app-config\" deleted", "service \"app\" deleted");
    CommandOutput gone = kubectl.run("get", "-n", namespace, "configmap", "app-config");
    assertThat(gone.succeeded()).isFalse();
    assertThat(gone.stderr()).contains("NotFound", "app-config");
  }

  @ParameterizedTest(name = "kubectl {0}")
  @MethodSource("kubectls")
  void getWatchStreamsAChangeMadeByAnotherClient(Kubectl kubectl) {
    // Given: a watch on the ConfigMap, showing its color
    String namespace = applied(kubectl, "watch");
    try (KubectlStream watch = kubectl.stream("get", "-n", namespace, "configmap", "app-config", "-w",
        "-o", "custom-columns=NAME:.metadata.name,COLOR:.data.color")) {
      await().atMost(Duration.ofSeconds(30)).untilAsserted(
          () -> assertThat(watch.lines()).as(watch.toString()).anySatisfy(line -> assertThat(line).matches("app-config +blue")));

      // When: another client changes it
      cluster.kubectl().ok("patch", "-n", namespace, "configmap", "app-config", "--type=merge", "-p", "{\"data\":{\"color\":\"red\"}}");

      // Then
      await().atMost(Duration.ofSeconds(30)).untilAsserted(
          () -> assertThat(watch.lines()).as(watch.toString()).anySatisfy(line -> assertThat(line).matches("app-config +red")));
      assertThat(watch.alive()).as(watch.toString()).isTrue();
    }
  }

  @ParameterizedTest(name = "kubectl {0}")
  @MethodSource("kubectls")
  void createSubcommandsMakeTheirObjects(Kubectl kubectl) {
    // Given
    String namespace = namespace(kubectl, "create");

    // When: kubectl's typed create commands (1.32 sends these as protobuf)
    CommandOutput createNamespace = kubectl.run("create", "namespace", namespace);
    CommandOutput createConfigMap = kubectl.run("create", "configmap", "made", "-n", namespace, "--from-literal=k=v");
    CommandOutput createSecret = kubectl.run("create", "secret", "generic", "made", "-n", namespace, "--from-literal=k=v");

    // Then
    assertThat(createNamespace.succeeded()).as(createNamespace.toString()).isTrue();
    assertThat(createConfigMap.succeeded()).as(createConfigMap.toString()).isTrue();
    assertThat(createSecret.succeeded()).as(createSecret.toString()).isTrue();
    assertThat(kubectl.ok("get", "-n", namespace, "configmap/made", "secret/made", "-o", "name").lines())
        .containsExactly("configmap/made", "secret/made");
  }

  @Test
  void createTokenMintsAServiceAccountTokenEveryMasterAccepts() throws IOException {
    // Given: a service account and a kubeconfig that carries only its token (kubectl 1.20 has no `create token`)
    Kubectl kubectl = cluster.kubectl();
    String namespace = namespace(kubectl, "token");
    kubectl.ok("create", "namespace", namespace);
    kubectl.ok("create", "serviceaccount", "builder", "-n", namespace);

    // When
    String token = kubectl.ok("create", "token", "builder", "-n", namespace).strip();
    Kubectl asBuilder = new Kubectl(kubectl.version(), kubectl.binary(), tokenKubeconfig(kubectl, token), "");

    // Then: the API servers know the account and its rights, on every master (they share the signing key)
    CommandOutput denied = asBuilder.run("get", "pods", "-n", namespace);
    assertThat(denied.succeeded()).as(denied.toString()).isFalse();
    assertThat(denied.stderr()).contains("\"system:serviceaccount:" + namespace + ":builder\" cannot list resource \"pods\"");
    kubectl.ok("create", "rolebinding", "builder-view", "--clusterrole=view", "--serviceaccount=" + namespace + ":builder", "-n", namespace);
    for (String master : ClusterUnderTest.MASTERS) {
      Kubectl there = asBuilder.against(cluster.apiServer(master));
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        CommandOutput allowed = there.run("get", "pods", "-n", namespace);
        assertThat(allowed.succeeded()).as(master + ": " + allowed).isTrue();
      });
    }
  }

  /** A kubeconfig for the cluster's first API server with nothing but {@code token} for credentials. */
  private Path tokenKubeconfig(Kubectl kubectl, String token) throws IOException {
    String server = kubectl.ok("config", "view", "--minify", "-o", "jsonpath={.clusters[0].cluster.server}").strip();
    Path file = Files.createTempFile("e2e-token", ".kubeconfig");
    file.toFile().deleteOnExit();
    Files.writeString(file, String.join("\n",
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: cluster",
        "  cluster:",
        "    server: " + server,
        "    certificate-authority: " + cluster.clusterDir().resolve("pki/ca.crt"),
        "users:",
        "- name: token",
        "  user:",
        "    token: " + token,
        "contexts:",
        "- name: token",
        "  context: {cluster: cluster, user: token}",
        "current-context: token",
        ""));
    return file;
  }

  @ParameterizedTest(name = "kubectl {0}")
  @MethodSource("kubectls")
  void apiResourcesListsTheServedKinds(Kubectl kubectl) {
    // When
    String resources = kubectl.ok("api-resources");

    // Then
    assertThat(columns(resources)).startsWith("NAME", "SHORTNAMES").contains("NAMESPACED", "KIND");
    assertThat(resources)
        .containsPattern("(?m)^pods +po +v1 +true +Pod$")
        .containsPattern("(?m)^configmaps +cm +v1 +true +ConfigMap$")
        .containsPattern("(?m)^secrets +v1 +true +Secret$")
        .containsPattern("(?m)^namespaces +ns +v1 +false +Namespace$")
        .containsPattern("(?m)^nodes +no +v1 +false +Node$")
        .containsPattern("(?m)^deployments +deploy +apps/v1 +true +Deployment$")
        .containsPattern("(?m)^statefulsets +sts +apps/v1 +true +StatefulSet$")
        .containsPattern("(?m)^daemonsets +ds +apps/v1 +true +DaemonSet$")
        .containsPattern("(?m)^ingresses +ing +networking.k8s.io/v1 +true +Ingress$")
        .containsPattern("(?m)^leases +coordination.k8s.io/v1 +true +Lease$");
  }
}
