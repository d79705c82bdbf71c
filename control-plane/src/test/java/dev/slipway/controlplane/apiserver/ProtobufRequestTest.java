package dev.slipway.controlplane.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.controlplane.apiserver.core.Json;
import dev.slipway.controlplane.apiserver.protobuf.ProtobufBody;
import dev.slipway.controlplane.apiserver.protobuf.ProtobufObjects;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/** Protobuf request bodies through the real API server on etcd: read like JSON, refused with a Status when they cannot be. */
class ProtobufRequestTest {

    private static final String CONFIG_MAPS = "/api/v1/namespaces/default/configmaps";
    private static ApiServerFixture cluster;
    private static HttpClient http;

    @BeforeAll
    static void start() {
        cluster = ApiServerFixture.start();
        http = cluster.adminHttpClient();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void protobufCreateStoresTheObject() throws Exception {
        byte[] body = ProtobufObjects.body("v1", "ConfigMap", Map.of("metadata", Map.of("name", "from-protobuf"),
                "data", Map.of("a", "1"), "binaryData", Map.of("b", new byte[] {1, 2})));

        HttpResponse<String> created = send("POST", CONFIG_MAPS, body);

        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode stored = Json.parse(send("GET", CONFIG_MAPS + "/from-protobuf", new byte[0]).body().getBytes());
        assertThat(stored.path("data").path("a").asString()).isEqualTo("1");
        assertThat(stored.path("binaryData").path("b").asString()).isEqualTo("AQI=");
    }

    static Stream<Arguments> refused() {
        byte[] valid = ProtobufObjects.body("v1", "ConfigMap", Map.of("metadata", Map.of("name", "refused"), "data", Map.of("a", "b")));
        byte[] configMap = ProtobufObjects.raw("v1", "ConfigMap", Map.of("metadata", Map.of("name", "refused")));
        byte[] withField99 = Arrays.copyOf(configMap, configMap.length + 3);
        // Field 99 as the varint 1, as a newer Kubernetes might send: tag 99 << 3 = 792, the varint bytes 0x98 0x06.
        withField99[configMap.length] = (byte) 0x98;
        withField99[configMap.length + 1] = 0x06;
        withField99[configMap.length + 2] = 1;
        return Stream.of(
                Arguments.of("truncated", Arrays.copyOf(valid, valid.length - 4), 400, "BadRequest"),
                Arguments.of("garbage", new byte[] {'k', '8', 's', 0, (byte) 0xff, (byte) 0xff}, 400, "BadRequest"),
                Arguments.of("unknown field", ProtobufObjects.envelope("v1", "ConfigMap", withField99), 415, "UnsupportedMediaType"),
                Arguments.of("kind without a schema", ProtobufObjects.envelope("batch/v1", "Job", new byte[0]), 415,
                        "UnsupportedMediaType"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void unreadableProtobufIsAnsweredWithAStatusAndStoresNothing(String what, byte[] body, int code, String reason) throws Exception {
        long before = cluster.etcdRevision();

        HttpResponse<String> response = send("POST", CONFIG_MAPS, body);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(code);
        JsonNode status = Json.parse(response.body().getBytes());
        assertThat(status.path("kind").asString()).isEqualTo("Status");
        assertThat(status.path("reason").asString()).isEqualTo(reason);
        assertThat(cluster.etcdRevision()).as("etcd revision after " + what).isEqualTo(before);
    }

    @Test
    void deleteOptionsInProtobufAreHonoured() throws Exception {
        byte[] object = ProtobufObjects.body("v1", "ConfigMap", Map.of("metadata", Map.of("name", "guarded")));
        assertThat(send("POST", CONFIG_MAPS, object).statusCode()).isEqualTo(201);
        byte[] wrongUid = ProtobufObjects.body("v1", "DeleteOptions", Map.of("preconditions", Map.of("uid", "not-its-uid")));

        HttpResponse<String> refused = send("DELETE", CONFIG_MAPS + "/guarded", wrongUid);

        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
        assertThat(send("GET", CONFIG_MAPS + "/guarded", new byte[0]).statusCode()).isEqualTo(200);
    }

    private static HttpResponse<String> send(String method, String path, byte[] body) throws Exception {
        HttpRequest.BodyPublisher publisher = body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(body);
        return http.send(HttpRequest.newBuilder(cluster.server().url().resolve(path)).method(method, publisher)
                .header("Content-Type", ProtobufBody.MEDIA_TYPE).build(), HttpResponse.BodyHandlers.ofString());
    }
}
