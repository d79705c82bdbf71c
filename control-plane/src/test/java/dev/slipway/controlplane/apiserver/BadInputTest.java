package dev.slipway.controlplane.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.controlplane.apiserver.core.Json;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/** Every bad request gets its Kubernetes Status and leaves etcd as it was. */
class BadInputTest {

    private static final String CONFIG_MAPS = "/api/v1/namespaces/default/configmaps";
    private static ApiServerFixture cluster;
    private static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        cluster = ApiServerFixture.start();
        http = cluster.adminHttpClient();
        HttpResponse<String> created = send("POST", CONFIG_MAPS, "application/json",
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"existing\"},\"data\":{\"a\":\"b\"}}");
        assertThat(created.statusCode()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    static Stream<Arguments> badRequests() {
        String big = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"big\"},\"data\":{\"a\":\""
                + "x".repeat(3 * 1024 * 1024 + 16) + "\"}}";
        return Stream.of(
                Arguments.of("malformed JSON", "POST", CONFIG_MAPS, "application/json", "{\"kind\": ", 400, "BadRequest", ""),
                Arguments.of("malformed YAML", "POST", CONFIG_MAPS, "application/yaml", "kind: [unclosed", 400, "BadRequest", ""),
                Arguments.of("invalid name", "POST", CONFIG_MAPS, "application/json",
                        "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"Bad_Name\"}}", 422, "Invalid", "metadata.name"),
                Arguments.of("container without image", "POST", "/apis/apps/v1/namespaces/default/deployments", "application/json",
                        "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\"},\"spec\":{\"selector\":"
                                + "{\"matchLabels\":{\"app\":\"web\"}},\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},"
                                + "\"spec\":{\"containers\":[{\"name\":\"web\"}]}}}}", 422, "Invalid", "spec.template.spec.containers[0].image"),
                Arguments.of("service port out of range", "POST", "/api/v1/namespaces/default/services", "application/json",
                        "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"svc\"},\"spec\":{\"ports\":[{\"port\":70000}]}}",
                        422, "Invalid", "spec.ports[0].port"),
                Arguments.of("label with a space", "POST", CONFIG_MAPS, "application/json",
                        "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"l\",\"labels\":{\"a\":\"b c\"}}}",
                        422, "Invalid", "metadata.labels"),
                Arguments.of("already exists", "POST", CONFIG_MAPS, "application/json",
                        "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"existing\"}}", 409, "AlreadyExists", ""),
                Arguments.of("stale resourceVersion", "PUT", CONFIG_MAPS + "/existing", "application/json",
                        "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"existing\",\"resourceVersion\":\"1\"},"
                                + "\"data\":{\"a\":\"changed\"}}", 409, "Conflict", ""),
                Arguments.of("body over 3 MiB", "POST", CONFIG_MAPS, "application/json", big, 413, "RequestEntityTooLarge", ""),
                Arguments.of("unknown resource", "GET", "/api/v1/namespaces/default/widgets", "application/json", "", 404, "NotFound", ""),
                Arguments.of("unknown field, strict", "POST", CONFIG_MAPS + "?fieldValidation=Strict", "application/json",
                        "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"strict\"},\"dta\":{}}", 400, "BadRequest", ""),
                Arguments.of("missing object", "GET", CONFIG_MAPS + "/missing", "application/json", "", 404, "NotFound", ""),
                Arguments.of("missing namespace", "POST", "/api/v1/namespaces/nowhere/configmaps", "application/json",
                        "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"x\"}}", 404, "NotFound", ""),
                Arguments.of("wrong kind", "POST", CONFIG_MAPS, "application/json",
                        "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"x\"}}", 400, "BadRequest", ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void badRequestIsAnsweredWithAStatusAndStoresNothing(String what, String method, String path, String contentType, String body,
                                                         int code, String reason, String field) throws Exception {
        long before = cluster.etcdRevision();

        HttpResponse<String> response = send(method, path, contentType, body);

        assertThat(response.statusCode()).as(what).isEqualTo(code);
        JsonNode status = Json.parse(response.body().getBytes());
        assertThat(status.path("kind").asString()).isEqualTo("Status");
        assertThat(status.path("reason").asString()).isEqualTo(reason);
        assertThat(status.path("code").asInt()).isEqualTo(code);
        if (!field.isEmpty()) {
            assertThat(status.path("details").path("causes").valueStream().map(cause -> cause.path("field").asString()))
                    .contains(field);
        }
        assertThat(cluster.etcdRevision()).as("etcd revision after " + what).isEqualTo(before);
    }

    @Test
    void unknownFieldWithWarnValidationIsStoredWithAWarningHeader() throws Exception {
        HttpResponse<String> response = send("POST", CONFIG_MAPS + "?fieldValidation=Warn", "application/json",
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"warned\"},\"dta\":{}}");

        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(response.headers().allValues("Warning")).anySatisfy(warning -> assertThat(warning).contains("unknown field", "dta"));
    }

    @Test
    void bodyWithoutContentLengthIsReadToItsEnd() throws Exception {
        byte[] body = ("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"chunked\"},\"data\":{\"a\":\""
                + "x".repeat(64 * 1024) + "\"}}").getBytes(StandardCharsets.UTF_8);
        // A body publisher of unknown length is sent chunked, without Content-Length.
        HttpRequest request = HttpRequest.newBuilder(cluster.server().url().resolve(CONFIG_MAPS))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
                .header("Content-Type", "application/json").build();

        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(Json.parse(response.body().getBytes()).path("data").path("a").asString()).hasSize(64 * 1024);
    }

    @Test
    void anonymousRequestIsUnauthorizedButHealthIsOpen() throws Exception {
        HttpClient anonymous = HttpClient.newBuilder().sslContext(dev.slipway.pki.TrustedCertificates.load(cluster.caFile()).sslContext()).build();

        HttpResponse<String> list = anonymous.send(HttpRequest.newBuilder(cluster.server().url().resolve(CONFIG_MAPS)).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> health = anonymous.send(HttpRequest.newBuilder(cluster.server().url().resolve("/readyz")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(list.statusCode()).isEqualTo(401);
        assertThat(health.statusCode()).isEqualTo(200);
    }

    private static HttpResponse<String> send(String method, String path, String contentType, String body) throws Exception {
        URI uri = cluster.server().url().resolve(path);
        HttpRequest.BodyPublisher publisher = body.isEmpty() ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body);
        // Expect: 100-continue lets the server refuse an oversized body from its Content-Length before it is sent;
        // without it the server's early 413 races the client's upload and the client may see a reset instead.
        return http.send(HttpRequest.newBuilder(uri).method(method, publisher).header("Content-Type", contentType)
                        .expectContinue(!body.isEmpty()).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
