package dev.slipway.controlplane.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.controlplane.apiserver.core.Json;
import dev.slipway.controlplane.apiserver.protobuf.ProtobufBody;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

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
    void createTokenMintsAServiceAccountTokenTheServerAuthenticates() {
        cluster.kubectl("create", "namespace", "tokens").orFail();
        cluster.kubectl("-n", "tokens", "create", "serviceaccount", "builder").orFail();

        String token = cluster.kubectl("-n", "tokens", "create", "token", "builder").orFail().out().strip();
        HttpResponse<String> answer = cluster.getWithToken(token, "/api/v1/namespaces/tokens/pods");

        assertThat(answer.statusCode()).as("authenticated as the service account, which may not list pods").isEqualTo(403);
        assertThat(answer.body()).contains("system:serviceaccount:tokens:builder").contains("cannot list resource");
        assertThat(cluster.kubectl("-n", "tokens", "create", "token", "builder", "--duration=5m").err())
                .contains("may not specify a duration less than 10 minutes");
        assertThat(cluster.kubectl("-n", "tokens", "create", "token", "nobody").err()).contains("serviceaccounts \"nobody\" not found");
    }

    @Test
    void aTokenBoundToAPodStopsWorkingOnceThePodIsGone() {
        cluster.kubectl("create", "namespace", "bound").orFail();
        cluster.kubectl("-n", "bound", "create", "serviceaccount", "runner").orFail();
        cluster.kubectl("-n", "bound", "run", "holder", "--image=busybox", "--restart=Never", "--overrides",
                "{\"spec\":{\"serviceAccountName\":\"runner\"}}").orFail();
        String token = cluster.kubectl("-n", "bound", "create", "token", "runner", "--bound-object-kind=Pod",
                "--bound-object-name=holder").orFail().out().strip();
        assertThat(cluster.getWithToken(token, "/api/v1/namespaces/bound/pods").statusCode()).isEqualTo(403);

        cluster.kubectl("-n", "bound", "delete", "pod", "holder", "--grace-period=0", "--force").orFail();

        await().atMost(Duration.ofSeconds(20))
                .until(() -> cluster.getWithToken(token, "/api/v1/namespaces/bound/pods").statusCode() == 401);
    }

    @Test
    void deletingANamespaceRemovesItsContentsAndThenTheNamespace() {
        cluster.kubectlWithInput(shop.replace("shop", "gone"), "apply", "-f", "-").orFail();

        cluster.kubectl("delete", "namespace", "gone", "--timeout=60s").orFail();

        assertThat(cluster.kubectl("get", "namespace", "gone").err()).contains("NotFound");
        assertThat(cluster.kubectl("get", "configmaps", "-n", "gone", "-o", "name").out()).isEmpty();
    }

    /** One {@code kubectl create} command, the object it makes, and what {@code get -o jsonpath} must show of it. */
    record Creation(String command, String object, String jsonPath, String shown) {
        @Override
        public String toString() {
            return command;
        }
    }

    static Stream<Creation> creations() {
        return Stream.of(
                new Creation("create namespace proto-ns", "namespace proto-ns", "{.metadata.name} {.status.phase}", "proto-ns Active"),
                new Creation("create configmap proto-cm --from-literal=a=1 --from-literal=b=two", "configmap proto-cm",
                        "{.data.a} {.data.b}", "1 two"),
                new Creation("create secret generic proto-generic --from-literal=token=abc --type=example.com/token",
                        "secret proto-generic", "{.type} {.data.token}", "example.com/token YWJj"),
                new Creation("create secret tls proto-tls --cert=CERT --key=KEY", "secret proto-tls",
                        "{.type} {.data.tls\\.crt}", "kubernetes.io/tls CERT_BASE64"),
                new Creation("create serviceaccount proto-sa", "serviceaccount proto-sa", "{.metadata.name} {.metadata.namespace}",
                        "proto-sa default"),
                new Creation("create service clusterip proto-cip --tcp=80:8080", "service proto-cip",
                        "{.spec.type} {.spec.ports[0].port} {.spec.ports[0].targetPort} {.spec.selector.app}", "ClusterIP 80 8080 proto-cip"),
                new Creation("create service nodeport proto-np --tcp=443:https --node-port=30443", "service proto-np",
                        "{.spec.type} {.spec.ports[0].port} {.spec.ports[0].targetPort} {.spec.ports[0].nodePort}", "NodePort 443 https 30443"),
                new Creation("create deployment proto-web --image=nginx:1.27 --replicas=2 --port=80", "deployment proto-web",
                        "{.spec.replicas} {.spec.selector.matchLabels.app} {.spec.template.metadata.labels.app} "
                                + "{.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].ports[0].containerPort}",
                        "2 proto-web proto-web nginx:1.27 80"),
                new Creation("create deployment proto-idle --image=busybox:1.36 --replicas=0 -- sleep 3600", "deployment proto-idle",
                        "{.spec.replicas} {.spec.template.spec.containers[0].command}", "0 [\"sleep\",\"3600\"]"),
                new Creation("create role proto-role --verb=get,list --resource=pods,deployments.apps", "role proto-role",
                        "{.rules[0].verbs} {.rules[0].resources} {.rules[1].apiGroups} {.rules[1].resources}",
                        "[\"get\",\"list\"] [\"pods\"] [\"apps\"] [\"deployments\"]"),
                new Creation("create rolebinding proto-rb --role=proto-role --user=alice --serviceaccount=default:proto-sa",
                        "rolebinding proto-rb", "{.roleRef.kind}/{.roleRef.name} {.subjects[0].kind}:{.subjects[0].name} "
                        + "{.subjects[1].kind}:{.subjects[1].namespace}:{.subjects[1].name}",
                        "Role/proto-role User:alice ServiceAccount:default:proto-sa"),
                new Creation("create clusterrole proto-cr --verb=get --non-resource-url=/healthz", "clusterrole proto-cr",
                        "{.rules[0].verbs} {.rules[0].nonResourceURLs}", "[\"get\"] [\"/healthz\"]"),
                new Creation("create clusterrole proto-agg --aggregation-rule=example.com/aggregate=true", "clusterrole proto-agg",
                        "{.aggregationRule.clusterRoleSelectors[0].matchLabels}", "{\"example.com/aggregate\":\"true\"}"),
                new Creation("create clusterrolebinding proto-crb --clusterrole=proto-cr --group=devs", "clusterrolebinding proto-crb",
                        "{.roleRef.name} {.subjects[0].kind}:{.subjects[0].name}", "proto-cr Group:devs"),
                new Creation("create ingress proto-ing --class=slipway --rule=shop.example.com/api*=web:80 "
                        + "--rule=secure.example.com/=web:https,tls=proto-tls", "ingress proto-ing",
                        "{.spec.ingressClassName} {.spec.rules[0].host}{.spec.rules[0].http.paths[0].path} "
                                + "{.spec.rules[0].http.paths[0].pathType} {.spec.rules[0].http.paths[0].backend.service.port.number} "
                                + "{.spec.rules[1].http.paths[0].backend.service.port.name} {.spec.tls[0].secretName} {.spec.tls[0].hosts}",
                        "slipway shop.example.com/api Prefix 80 https proto-tls [\"secure.example.com\"]"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("creations")
    void typedCreateSendsProtobufAndMakesTheObject(Creation creation) throws IOException {
        Path cert = cluster.directory().resolve("admin.crt");
        Path key = cluster.directory().resolve("admin.key");
        List<String> command = new ArrayList<>(List.of("-v=8"));
        command.addAll(List.of(creation.command().replace("CERT", cert.toString()).replace("KEY", key.toString()).split(" ")));

        var run = cluster.kubectl(command.toArray(String[]::new)).orFail();

        assertThat(sentContentTypes(run.err())).as("what kubectl sent and received").contains(ProtobufBody.MEDIA_TYPE);
        String expected = creation.shown().replace("CERT_BASE64", Base64.getEncoder().encodeToString(Files.readAllBytes(cert)));
        List<String> get = new ArrayList<>(List.of("get"));
        get.addAll(List.of(creation.object().split(" ")));
        get.addAll(List.of("-o", "jsonpath=" + creation.jsonPath()));
        assertThat(cluster.kubectl(get.toArray(String[]::new)).orFail().out()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("creations")
    void protobufAndJsonBodiesMakeTheSameObject(Creation creation) {
        List<String> command = new ArrayList<>(List.of(creation.command().replace("proto-", "twin-")
                .replace("CERT", cluster.directory().resolve("admin.crt").toString())
                .replace("KEY", cluster.directory().resolve("admin.key").toString()).split(" ")));
        int dashes = command.indexOf("--");
        List<String> options = List.of("-o", "json");
        List<String> protobuf = new ArrayList<>(command);
        protobuf.addAll(dashes < 0 ? protobuf.size() : dashes, concat(options, List.of("--dry-run=server")));
        List<String> client = new ArrayList<>(command);
        client.addAll(dashes < 0 ? client.size() : dashes, concat(options, List.of("--dry-run=client")));

        String fromProtobuf = cluster.kubectl(protobuf.toArray(String[]::new)).orFail().out();
        String json = cluster.kubectl(client.toArray(String[]::new)).orFail().out();
        String fromJson = cluster.kubectlWithInput(json, "create", "--dry-run=server", "-o", "json", "-f", "-").orFail().out();

        assertThat(comparable(fromProtobuf)).isEqualTo(comparable(fromJson));
    }

    private static List<String> concat(List<String> first, List<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    /**
     * The object without what differs from one create to the next, and without its status: kubectl prints a
     * typed command's object from Go types, which always print an (empty) status; the server stored none.
     */
    private static JsonNode comparable(String json) {
        ObjectNode object = (ObjectNode) Json.parse(json.getBytes(StandardCharsets.UTF_8));
        object.remove("status");
        ObjectNode metadata = (ObjectNode) object.path("metadata");
        metadata.remove(List.of("uid", "creationTimestamp", "resourceVersion", "managedFields"));
        if (object.path("spec") instanceof ObjectNode spec && object.path("kind").asString().equals("Service")) {
            spec.remove(List.of("clusterIP", "clusterIPs"));
        }
        return object;
    }

    @Test
    void certificateApproveSendsTheRequestBackAsProtobuf() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = generator.generateKeyPair();
        byte[] request = new JcaPKCS10CertificationRequestBuilder(new X500Principal("CN=alice"), pair.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())).getEncoded();
        String pem = "-----BEGIN CERTIFICATE REQUEST-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(request) + "\n-----END CERTIFICATE REQUEST-----\n";
        cluster.kubectlWithInput("""
                apiVersion: certificates.k8s.io/v1
                kind: CertificateSigningRequest
                metadata:
                  name: alice
                spec:
                  request: %s
                  signerName: kubernetes.io/kube-apiserver-client
                  usages: ["client auth"]
                """.formatted(Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII))), "apply", "-f", "-").orFail();

        var run = cluster.kubectl("-v=8", "certificate", "approve", "alice").orFail();

        assertThat(sentContentTypes(run.err())).contains(ProtobufBody.MEDIA_TYPE);
        assertThat(cluster.kubectl("get", "csr", "alice", "-o", "jsonpath={.status.conditions[0].type} {.spec.username}").orFail().out())
                .isEqualTo("Approved admin");
    }

    /** The Content-Type headers in kubectl's -v=8 log: requests and responses (which this server always answers in JSON). */
    private static List<String> sentContentTypes(String verboseLog) {
        List<String> types = new ArrayList<>();
        Matcher matcher = Pattern.compile("Content-Type: (\\S+)").matcher(verboseLog);
        while (matcher.find()) {
            types.add(matcher.group(1));
        }
        return types;
    }
}
