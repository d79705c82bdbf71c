package dev.slipway.controlplane.apiserver.rest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.controlplane.apiserver.core.Json;
import dev.slipway.controlplane.apiserver.patch.PatchType;
import dev.slipway.controlplane.apiserver.resources.ResourceDescriptor;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code metadata.generation} as Kubernetes keeps it: 1 at creation, one more for every write that
 * changes anything outside metadata and status, never for metadata, status or no-op writes. Controllers
 * compare it with {@code status.observedGeneration}, so a missed or spurious step shows as a rollout
 * that never starts or never ends. On a real etcd.
 */
class GenerationTest {

    private static final String NAMESPACE = "generations";
    private static final AtomicInteger NAMES = new AtomicInteger();

    private static RestOnEtcd cluster;
    private static ObjectRest server;

    @BeforeAll
    static void start() {
        cluster = RestOnEtcd.start();
        server = cluster.rest();
        cluster.createNamespace(NAMESPACE);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void aNewObjectIsGenerationOne() {
        assertThat(generation(created())).isEqualTo(1);
    }

    @Test
    void aSpecChangeMovesTheGenerationByOne() {
        String name = created();

        patch(name, "", "{\"spec\":{\"replicas\":3}}");

        assertThat(generation(name)).isEqualTo(2);
    }

    @Test
    void metadataStatusAndNoOpWritesLeaveTheGeneration() {
        String name = created();

        patch(name, "", "{\"metadata\":{\"labels\":{\"tier\":\"web\"},\"annotations\":{\"note\":\"x\"}}}");
        patch(name, "status", "{\"status\":{\"replicas\":1,\"observedGeneration\":1}}");
        server.update(deployments(), NAMESPACE, name, "", (ObjectNode) read(name), Query.empty(), "test");

        ObjectNode now = read(name);
        assertThat(generation(name)).isEqualTo(1);
        assertThat(Json.textOr(now, "", "metadata", "labels", "tier")).isEqualTo("web");
        assertThat(now.at("/status/replicas").asInt()).isEqualTo(1);
    }

    @Test
    void everySpecChangeCountsEvenOneThatRestoresAnEarlierSpec() {
        String name = created();

        patch(name, "", "{\"metadata\":{\"labels\":{\"tier\":\"web\"}},\"spec\":{\"replicas\":2}}");
        patch(name, "", "{\"spec\":{\"replicas\":1}}");

        assertThat(generation(name)).isEqualTo(3);
    }

    private static String created() {
        String name = "web-" + NAMES.incrementAndGet();
        String manifest = """
                {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"%s"},
                 "spec":{"replicas":1,"selector":{"matchLabels":{"app":"%s"}},
                         "template":{"metadata":{"labels":{"app":"%s"}},
                                     "spec":{"containers":[{"name":"web","image":"slipway.dev/busybox:1"}]}}}}
                """.formatted(name, name, name);
        server.create(deployments(), NAMESPACE, (ObjectNode) Json.parse(manifest.getBytes(UTF_8)), Query.empty(), "test");
        return name;
    }

    private static void patch(String name, String subresource, String json) {
        server.patch(deployments(), NAMESPACE, name, subresource, PatchType.MERGE, json.getBytes(UTF_8), Query.empty(), "test");
    }

    private static ObjectNode read(String name) {
        return (ObjectNode) server.get(deployments(), NAMESPACE, name, "").body();
    }

    private static long generation(String name) {
        JsonNode value = read(name).at("/metadata/generation");
        return value.asLong(-1);
    }

    private static ResourceDescriptor deployments() {
        return cluster.resource("apps", "deployments");
    }
}
