package dev.slipway.controlplane.apiserver.protobuf;

import static dev.slipway.controlplane.apiserver.protobuf.ProtobufObjects.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import dev.slipway.controlplane.apiserver.core.ApiError;
import dev.slipway.controlplane.apiserver.core.Json;
import dev.slipway.controlplane.apiserver.protobuf.schema.Wire;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/** Kubernetes protobuf bodies become exactly the JSON form of the object; what cannot be read is refused, never dropped. */
class ProtobufBodyTest {

    private static final Map<String, Object> META = Map.of("name", "web", "namespace", "shop");

    static Stream<Arguments> objects() {
        return Stream.of(
                Arguments.of("maps, bytes and an optional false", body("v1", "ConfigMap", Map.of(
                        "metadata", Map.of("name", "settings", "labels", Map.of("tier", "web"), "annotations", Map.of("a", "")),
                        "data", Map.of("mode", "fast"),
                        "binaryData", Map.of("blob", new byte[] {0, 1, 2, (byte) 0xff}),
                        "immutable", false)), """
                        {"apiVersion": "v1", "kind": "ConfigMap",
                         "metadata": {"name": "settings", "labels": {"tier": "web"}, "annotations": {"a": ""}},
                         "immutable": false, "data": {"mode": "fast"}, "binaryData": {"blob": "AAEC/w=="}}"""),
                Arguments.of("secret data as base64", body("v1", "Secret", Map.of(
                        "metadata", META, "data", Map.of("token", "abc"), "type", "Opaque")), """
                        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "web", "namespace": "shop"},
                         "data": {"token": "YWJj"}, "type": "Opaque"}"""),
                Arguments.of("IntOrString as a number, a string, and a zero value left out", body("v1", "Service", Map.of(
                        "metadata", META,
                        "spec", Map.of("type", "NodePort", "selector", Map.of("app", "web"), "ports", List.of(
                                Map.of("name", "http", "port", 80, "targetPort", Map.of("type", 0L, "intVal", 8080), "nodePort", 30080),
                                Map.of("name", "https", "port", 443, "targetPort", Map.of("type", 1L, "strVal", "https")),
                                Map.of("name", "metrics", "port", 9090, "targetPort", Map.of()))))), """
                        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "shop"},
                         "spec": {"ports": [{"name": "http", "port": 80, "targetPort": 8080, "nodePort": 30080},
                                            {"name": "https", "port": 443, "targetPort": "https"},
                                            {"name": "metrics", "port": 9090}],
                                  "selector": {"app": "web"}, "type": "NodePort"}}"""),
                Arguments.of("optional zeros kept, Time in whole seconds, Quantity, empty Time left out", body("apps/v1", "Deployment", Map.of(
                        "metadata", Map.of("name", "web", "creationTimestamp", Map.of("seconds", 1714979289L, "nanos", 500)),
                        "spec", Map.of("replicas", 0, "minReadySeconds", 0,
                                "selector", Map.of("matchLabels", Map.of("app", "web")),
                                "strategy", Map.of("type", "RollingUpdate", "rollingUpdate", Map.of(
                                        "maxUnavailable", Map.of(), "maxSurge", Map.of("type", 1L, "strVal", "25%"))),
                                "template", Map.of(
                                        "metadata", Map.of("labels", Map.of("app", "web"), "creationTimestamp", Map.of()),
                                        "spec", Map.of("containers", List.of(Map.of("name", "web", "image", "nginx:1.27",
                                                "args", List.of("-g", "daemon off;"),
                                                "ports", List.of(Map.of("containerPort", 80, "protocol", "TCP")),
                                                "env", List.of(Map.of("name", "MODE", "value", "fast")),
                                                "resources", Map.of("limits", Map.of("cpu", Map.of("string", "500m")),
                                                        "requests", Map.of("memory", Map.of("string", "64Mi"))))),
                                        "terminationGracePeriodSeconds", 0L))))), """
                        {"apiVersion": "apps/v1", "kind": "Deployment",
                         "metadata": {"name": "web", "creationTimestamp": "2024-05-06T07:08:09Z"},
                         "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "web"}},
                                  "template": {"metadata": {"labels": {"app": "web"}},
                                               "spec": {"containers": [{"name": "web", "image": "nginx:1.27", "args": ["-g", "daemon off;"],
                                                                        "ports": [{"containerPort": 80, "protocol": "TCP"}],
                                                                        "env": [{"name": "MODE", "value": "fast"}],
                                                                        "resources": {"limits": {"cpu": "500m"}, "requests": {"memory": "64Mi"}}}],
                                                        "terminationGracePeriodSeconds": 0}},
                                  "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": "25%"}}}}"""),
                Arguments.of("inline structs: volume source, local object reference, probe handler", body("v1", "Pod", Map.of(
                        "metadata", META,
                        "spec", Map.of(
                                "volumes", List.of(Map.of("name", "config", "volumeSource", Map.of("configMap", Map.of(
                                        "localObjectReference", Map.of("name", "settings"), "defaultMode", 420)))),
                                "containers", List.of(Map.of("name", "web", "image", "nginx",
                                        "env", List.of(Map.of("name", "TOKEN", "valueFrom", Map.of("secretKeyRef", Map.of(
                                                "localObjectReference", Map.of("name", "creds"), "key", "token")))),
                                        "readinessProbe", Map.of("handler", Map.of("httpGet", Map.of("path", "/ready",
                                                "port", Map.of("type", 1L, "strVal", "http"))), "periodSeconds", 5)))))), """
                        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "shop"},
                         "spec": {"volumes": [{"name": "config", "configMap": {"name": "settings", "defaultMode": 420}}],
                                  "containers": [{"name": "web", "image": "nginx",
                                                  "env": [{"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "token"}}}],
                                                  "readinessProbe": {"httpGet": {"path": "/ready", "port": "http"}, "periodSeconds": 5}}]}}"""),
                Arguments.of("MicroTime keeps microseconds", body("v1", "Event", Map.of(
                        "metadata", META, "reason", "Started",
                        "eventTime", Map.of("seconds", 1714979289L, "nanos", 123456789))), """
                        {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "web", "namespace": "shop"},
                         "reason": "Started", "eventTime": "2024-05-06T07:08:09.123456Z"}"""),
                Arguments.of("managed fields as their raw JSON", body("rbac.authorization.k8s.io/v1", "Role", Map.of(
                        "metadata", Map.of("name", "reader", "managedFields", List.of(Map.of("manager", "kubectl", "operation", "Update",
                                "fieldsType", "FieldsV1", "fieldsV1", Map.of("raw", "{\"f:rules\":{}}")))),
                        "rules", List.of(Map.of("verbs", List.of("get", "list"), "apiGroups", List.of(""), "resources", List.of("pods"))))),
                        """
                        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                         "metadata": {"name": "reader", "managedFields": [{"manager": "kubectl", "operation": "Update",
                                                                           "fieldsType": "FieldsV1", "fieldsV1": {"f:rules": {}}}]},
                         "rules": [{"verbs": ["get", "list"], "apiGroups": [""], "resources": ["pods"]}]}"""),
                Arguments.of("ingress backends, path types and TLS", body("networking.k8s.io/v1", "Ingress", Map.of(
                        "metadata", META,
                        "spec", Map.of("ingressClassName", "slipway",
                                "tls", List.of(Map.of("hosts", List.of("shop.example.com"), "secretName", "shop-tls")),
                                "rules", List.of(Map.of("host", "shop.example.com", "ingressRuleValue", Map.of("http", Map.of("paths", List.of(
                                        Map.of("path", "/api", "pathType", "Prefix", "backend", Map.of("service", Map.of("name", "web",
                                                "port", Map.of("number", 80)))))))))))), """
                        {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "web", "namespace": "shop"},
                         "spec": {"ingressClassName": "slipway", "tls": [{"hosts": ["shop.example.com"], "secretName": "shop-tls"}],
                                  "rules": [{"host": "shop.example.com", "http": {"paths": [{"path": "/api", "pathType": "Prefix",
                                            "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]}}"""),
                Arguments.of("a slice type wrapped in a message is an array", body("certificates.k8s.io/v1", "CertificateSigningRequest",
                        Map.of("metadata", Map.of("name", "alice"), "spec", Map.of("request", "PEM", "username", "alice",
                                "extra", Map.of("scopes", Map.of("items", List.of("read", "write")))))), """
                        {"apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest", "metadata": {"name": "alice"},
                         "spec": {"request": "UEVN", "username": "alice", "extra": {"scopes": ["read", "write"]}}}"""),
                Arguments.of("zeros written on the wire, as Go writes every non-pointer field", goStyleDeployment(), """
                        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                         "spec": {"replicas": 0, "template": {"metadata": {}, "spec": {}}}}"""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("objects")
    void protobufBodyBecomesTheJsonFormOfTheObject(String what, byte[] body, String expected) {
        JsonNode json = ProtobufBody.toJson(body);

        assertThat(json).isEqualTo(Json.parse(expected.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void apiVersionAndKindComeFirst() {
        var json = ProtobufBody.toJson(body("v1", "Namespace", Map.of("metadata", Map.of("name", "shop"))));

        assertThat(json.propertyNames()).containsExactly("apiVersion", "kind", "metadata");
    }

    @Test
    void unknownFieldIsRefusedNamingTheKindAndTheField() {
        byte[] spec = withUnknownField(ProtobufObjects.message(Kinds.schema().find("apps/v1", "Deployment").orElseThrow()
                .findFieldByName("spec").getMessageType(), Map.of("replicas", 2)).toByteArray(), 99);
        byte[] deployment = concat(tag(2, spec));

        assertThatThrownBy(() -> ProtobufBody.toJson(ProtobufObjects.envelope("apps/v1", "Deployment", deployment)))
                .isInstanceOfSatisfying(ApiError.class, error -> {
                    assertThat(error.code()).isEqualTo(415);
                    assertThat(error.reason()).isEqualTo("UnsupportedMediaType");
                    assertThat(error.getMessage()).contains("Deployment (apps/v1)", "field number 99", "DeploymentSpec", "at spec",
                            "application/json");
                });
    }

    @Test
    void unknownFieldInAMapValueIsRefusedToo() {
        byte[] quantity = withUnknownField(new byte[0], 7);
        byte[] entry = concat(tag(1, "cpu".getBytes(StandardCharsets.UTF_8)), tag(2, quantity));
        byte[] resources = tag(1, entry);
        byte[] container = concat(tag(1, "web".getBytes(StandardCharsets.UTF_8)), tag(8, resources));
        byte[] pod = tag(2, tag(2, container));

        assertThatThrownBy(() -> ProtobufBody.toJson(ProtobufObjects.envelope("v1", "Pod", pod)))
                .isInstanceOfSatisfying(ApiError.class, error -> assertThat(error.getMessage())
                        .contains("Pod (v1)", "field number 7", "spec.containers[0].resources.limits[cpu]"));
    }

    @Test
    void kindWithoutSchemaIsRefusedNamingIt() {
        byte[] job = ProtobufObjects.envelope("batch/v1", "Job", new byte[0]);

        assertThatThrownBy(() -> ProtobufBody.toJson(job)).isInstanceOfSatisfying(ApiError.class, error -> {
            assertThat(error.code()).isEqualTo(415);
            assertThat(error.getMessage()).contains("Job (batch/v1)", "apps/v1/Deployment", "application/json");
        });
    }

    @Test
    void compressedEnvelopeIsRefused() {
        byte[] gzipped = ProtobufObjects.envelope(Wire.Unknown.newBuilder()
                .setTypeMeta(Wire.TypeMeta.newBuilder().setApiVersion("v1").setKind("ConfigMap"))
                .setContentEncoding("gzip").build());

        assertThatThrownBy(() -> ProtobufBody.toJson(gzipped)).isInstanceOfSatisfying(ApiError.class,
                error -> assertThat(error.code()).isEqualTo(415));
    }

    static Stream<Arguments> malformed() {
        byte[] valid = body("v1", "ConfigMap", Map.of("metadata", Map.of("name", "settings"), "data", Map.of("a", "b")));
        return Stream.of(
                Arguments.of("truncated", Arrays.copyOf(valid, valid.length - 3)),
                Arguments.of("truncated object inside a whole envelope", ProtobufObjects.envelope("v1", "ConfigMap",
                        Arrays.copyOf(tag(1, tag(1, "settings".getBytes(StandardCharsets.UTF_8))), 6))),
                Arguments.of("garbage after the magic", new byte[] {'k', '8', 's', 0, (byte) 0xff, (byte) 0xff, (byte) 0xff}),
                Arguments.of("JSON labelled as protobuf", "{\"kind\":\"ConfigMap\"}".getBytes(StandardCharsets.UTF_8)),
                Arguments.of("empty", new byte[0]),
                Arguments.of("envelope without a kind", ProtobufObjects.envelope(Wire.Unknown.getDefaultInstance())),
                Arguments.of("managed fields that are not JSON", body("v1", "ConfigMap", Map.of("metadata", Map.of("name", "x",
                        "managedFields", List.of(Map.of("manager", "m", "fieldsV1", Map.of("raw", "{not json"))))))),
                Arguments.of("time past the year 9999", body("v1", "ConfigMap", Map.of("metadata", Map.of("name", "x",
                        "creationTimestamp", Map.of("seconds", 253402300800L))))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedBodyIsABadRequest(String what, byte[] body) {
        assertThatThrownBy(() -> ProtobufBody.toJson(body)).isInstanceOfSatisfying(ApiError.class, error -> {
            assertThat(error.code()).isEqualTo(400);
            assertThat(error.reason()).isEqualTo("BadRequest");
        });
    }

    /** As Go's generated marshalling writes it: every non-pointer field, zero or not; replicas is a pointer. */
    private static byte[] goStyleDeployment() {
        byte[] metadata = concat(tag(1, "web".getBytes(StandardCharsets.UTF_8)), tag(2, new byte[0]), tag(3, new byte[0]),
                varint(7, 0), tag(8, new byte[0]));
        byte[] template = concat(tag(1, tag(8, new byte[0])), tag(2, varint(11, 0)));
        byte[] spec = concat(varint(1, 0), tag(3, template), varint(5, 0), varint(7, 0));
        return ProtobufObjects.envelope("apps/v1", "Deployment", concat(tag(1, metadata), tag(2, spec)));
    }

    private static byte[] withUnknownField(byte[] message, int number) {
        return concat(message, varint(number, 1));
    }

    private static byte[] tag(int number, byte[] bytes) {
        return write(out -> out.writeByteArray(number, bytes));
    }

    private static byte[] varint(int number, long value) {
        return write(out -> out.writeInt64(number, value));
    }

    private interface Writing {
        void to(CodedOutputStream out) throws IOException;
    }

    private static byte[] write(Writing writing) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            writing.to(out);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] concat(byte[]... parts) {
        ByteString all = ByteString.EMPTY;
        for (byte[] part : parts) {
            all = all.concat(ByteString.copyFrom(part));
        }
        return all.toByteArray();
    }
}
