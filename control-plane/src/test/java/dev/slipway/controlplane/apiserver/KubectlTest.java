package dev.slipway.controlplane.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real kubectl against a real API server on a real etcd: the everyday commands. */
class KubectlTest {

    private static ApiServerFixture cluster;
    private static String shop;

    @BeforeAll
    static void start() {
        cluster = ApiServerFixture.start();
        shop = manifest("shop.yaml");
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static String manifest(String name) {
        try (InputStream in = KubectlTest.class.getResourceAsStream("/manifests/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // Imperative generators (kubectl create configmap) send protobuf, which this server does not read: apply JSON/YAML instead.
    private static String configMap(String name) {
        return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\n  namespace: default\ndata:\n  a: b\n";
    }

    private static void applyShop() {
        cluster.kubectlWithInput(shop, "apply", "-f", "-").orFail();
    }

    @Test
    void applyOfAMultiDocumentManifestCreatesEveryObject() {
        String namespace = shop.replace("shop", "store");

        var run = cluster.kubectlWithInput(namespace, "apply", "-f", "-").orFail();

        assertThat(run.out()).contains("namespace/store created", "configmap/web-config created", "secret/web-credentials created",
                "deployment.apps/web created", "service/web created", "ingress.networking.k8s.io/web created");
    }

    @Test
    void reapplyingAnUnchangedManifestSaysUnchanged() {
        applyShop();

        var run = cluster.kubectlWithInput(shop, "apply", "-f", "-").orFail();

        assertThat(run.out()).contains("namespace/shop unchanged", "configmap/web-config unchanged", "secret/web-credentials unchanged",
                "deployment.apps/web unchanged", "service/web unchanged", "ingress.networking.k8s.io/web unchanged");
    }

    @Test
    void applyingAnEditedManifestConfiguresOnlyTheChangedField() {
        String edited = shop.replace("shop", "edit");
        cluster.kubectlWithInput(edited, "apply", "-f", "-").orFail();

        var run = cluster.kubectlWithInput(edited.replace("replicas: 2", "replicas: 3"), "apply", "-f", "-").orFail();

        assertThat(run.out()).contains("deployment.apps/web configured", "service/web unchanged", "configmap/web-config unchanged");
        assertThat(cluster.kubectl("-n", "edit", "get", "deployment", "web", "-o",
                "jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].env[0].name}")
                .orFail().out()).isEqualTo("3 nginx:1.27 MODE");
    }

    @Test
    void serverSideApplyCreatesAndThenUpdates() {
        String config = """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: ssa
                  namespace: default
                data:
                  a: "1"
                """;
        assertThat(cluster.kubectlWithInput(config, "apply", "--server-side", "-f", "-").orFail().out())
                .contains("configmap/ssa serverside-applied");

        cluster.kubectlWithInput(config.replace("a: \"1\"", "b: \"2\""), "apply", "--server-side", "-f", "-").orFail();

        assertThat(cluster.kubectl("get", "configmap", "ssa", "-o", "jsonpath={.data}").orFail().out()).isEqualTo("{\"b\":\"2\"}");
    }

    @Test
    void serverSideApplyConflictsWithAnotherManagerUnlessForced() {
        String config = """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: contested
                  namespace: default
                data:
                  owner: first
                """;
        cluster.kubectlWithInput(config, "apply", "--server-side", "--field-manager", "first", "-f", "-").orFail();
        String second = config.replace("owner: first", "owner: second");

        var refused = cluster.kubectlWithInput(second, "apply", "--server-side", "--field-manager", "second", "-f", "-");
        var forced = cluster.kubectlWithInput(second, "apply", "--server-side", "--field-manager", "second", "--force-conflicts", "-f", "-");

        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.err()).contains("conflict", "first", ".data.owner");
        assertThat(forced.exitCode()).isZero();
        assertThat(cluster.kubectl("get", "configmap", "contested", "-o", "jsonpath={.data.owner}").orFail().out()).isEqualTo("second");
    }

    @Test
    void getPrintsTheUsualColumns() {
        applyShop();

        String deployments = cluster.kubectl("-n", "shop", "get", "deployments").orFail().out();
        String services = cluster.kubectl("-n", "shop", "get", "services").orFail().out();
        String configMaps = cluster.kubectl("-n", "shop", "get", "configmaps").orFail().out();
        String secrets = cluster.kubectl("-n", "shop", "get", "secrets").orFail().out();

        assertThat(deployments).containsPattern("NAME\\s+READY\\s+UP-TO-DATE\\s+AVAILABLE\\s+AGE").containsPattern("web\\s+0/2\\s+0\\s+0");
        assertThat(services).containsPattern("NAME\\s+TYPE\\s+CLUSTER-IP\\s+EXTERNAL-IP\\s+PORT\\(S\\)\\s+AGE")
                .containsPattern("web\\s+ClusterIP\\s+10\\.96\\.\\d+\\.\\d+\\s+<none>\\s+80/TCP");
        assertThat(configMaps).containsPattern("web-config\\s+2");
        assertThat(secrets).containsPattern("web-credentials\\s+Opaque\\s+1");
    }

    @Test
    void secretStringDataIsStoredBase64EncodedInData() {
        String secret = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: strings\n  namespace: default\nstringData:\n  token: abc\n";

        cluster.kubectlWithInput(secret, "apply", "-f", "-").orFail();

        assertThat(cluster.kubectl("get", "secret", "strings", "-o", "jsonpath={.data.token}|{.stringData}").orFail().out())
                .isEqualTo("YWJj|");
    }

    @Test
    void describeShowsTheDeployment() {
        applyShop();

        String out = cluster.kubectl("-n", "shop", "describe", "deployment", "web").orFail().out();

        assertThat(out).contains("Name:", "web", "Replicas:", "2 desired", "nginx:1.27", "RollingUpdate");
    }

    @Test
    void labelAndAnnotateChangeMetadata() {
        applyShop();

        cluster.kubectl("-n", "shop", "label", "configmap", "web-config", "tier=frontend").orFail();
        cluster.kubectl("-n", "shop", "annotate", "configmap", "web-config", "owner=team-a").orFail();

        assertThat(cluster.kubectl("-n", "shop", "get", "configmaps", "-l", "tier=frontend", "-o", "name").orFail().out())
                .isEqualTo("configmap/web-config\n");
        assertThat(cluster.kubectl("-n", "shop", "get", "configmap", "web-config", "-o", "jsonpath={.metadata.annotations.owner}")
                .orFail().out()).isEqualTo("team-a");
    }

    @Test
    void scaleChangesReplicasThroughTheScaleSubresource() {
        applyShop();

        assertThat(cluster.kubectl("-n", "shop", "scale", "deployment", "web", "--replicas=5").orFail().out())
                .contains("deployment.apps/web scaled");

        assertThat(cluster.kubectl("-n", "shop", "get", "deployment", "web", "-o", "jsonpath={.spec.replicas}").orFail().out())
                .isEqualTo("5");
    }

    @Test
    void deleteRemovesTheObject() {
        cluster.kubectlWithInput(configMap("doomed"), "apply", "-f", "-").orFail();

        assertThat(cluster.kubectl("delete", "configmap", "doomed").orFail().out()).contains("configmap \"doomed\" deleted");

        assertThat(cluster.kubectl("get", "configmap", "doomed").err()).contains("NotFound");
    }

    @Test
    void watchStreamsAChangeMadeByAnotherClient() throws Exception {
        cluster.kubectlWithInput(configMap("watched"), "apply", "-f", "-").orFail();
        Path out = Files.createTempFile(cluster.directory(), "watch", ".txt");
        Process watch = cluster.kubectlInBackground(out, "get", "configmaps", "-w", "--output-watch-events");
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(out).contains("watched"));

            cluster.kubectlWithInput(configMap("newcomer"), "apply", "-f", "-").orFail();

            await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(out).contains("newcomer"));
            assertThat(Files.readString(out)).containsPattern("ADDED\\s+newcomer");
        } finally {
            watch.destroy();
        }
    }

    @Test
    void apiResourcesListsTheServedResources() {
        String out = cluster.kubectl("api-resources").orFail().out();

        assertThat(out).containsPattern("deployments\\s+deploy\\s+apps/v1\\s+true\\s+Deployment")
                .containsPattern("pods\\s+po\\s+v1\\s+true\\s+Pod")
                .containsPattern("clusterroles\\s+rbac.authorization.k8s.io/v1\\s+false\\s+ClusterRole");
    }

    @Test
    void deletingANamespaceRemovesItsContentsAndThenTheNamespace() {
        cluster.kubectlWithInput(shop.replace("shop", "gone"), "apply", "-f", "-").orFail();

        cluster.kubectl("delete", "namespace", "gone", "--timeout=60s").orFail();

        assertThat(cluster.kubectl("get", "namespace", "gone").err()).contains("NotFound");
        assertThat(cluster.kubectl("get", "configmaps", "-n", "gone", "-o", "name").out()).isEmpty();
    }
}
