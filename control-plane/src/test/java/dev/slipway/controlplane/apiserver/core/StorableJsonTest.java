package dev.slipway.controlplane.apiserver.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

class StorableJsonTest {

    private static ObjectNode object(String json) {
        return (ObjectNode) Json.parse(json.getBytes(UTF_8));
    }

    @Test
    void storedBytesAreWhatTheMapperWritesAndTheAnswerAddsOnlyTheResourceVersion() {
        // Values that look like the metadata key or hold braces and escapes must not confuse where the version goes.
        ObjectNode object = object("""
                {"apiVersion":"v1","kind":"ConfigMap","data":{"metadata":"{\\"metadata\\":{","q":"a\\\\\\"b}"},
                 "metadata":{"name":"n","labels":{"a":"é"}},"status":{"x":[1,{"metadata":{}}]}}""");

        StorableJson json = StorableJson.of(object);

        assertThat(json.bytes()).isEqualTo(Json.bytes(object));
        ObjectNode expected = object.deepCopy();
        Json.metadata(expected).put("resourceVersion", "42");
        assertThat(Json.parse(json.withResourceVersion("42"))).isEqualTo(expected);
        assertThat(new String(json.withResourceVersion("42"), UTF_8)).contains("\"metadata\":{\"resourceVersion\":\"42\",\"name\":\"n\"");
    }

    @Test
    void aResourceVersionInHandIsNeverStoredNorAnsweredTwice() {
        ObjectNode object = object("{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"n\",\"resourceVersion\":\"7\"}}");

        StorableJson json = StorableJson.of(object);

        assertThat(Json.parse(json.bytes())).isEqualTo(object("{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"n\"}}"));
        assertThat(new String(json.withResourceVersion("9"), UTF_8))
                .isEqualTo("{\"kind\":\"ConfigMap\",\"metadata\":{\"resourceVersion\":\"9\",\"name\":\"n\"}}");
    }

    @Test
    void emptyOrMissingMetadata() {
        assertThat(new String(StorableJson.of(object("{\"metadata\":{},\"a\":1}")).withResourceVersion("3"), UTF_8))
                .isEqualTo("{\"metadata\":{\"resourceVersion\":\"3\"},\"a\":1}");
        assertThat(new String(StorableJson.of(object("{\"a\":{\"metadata\":{}}}")).withResourceVersion("3"), UTF_8))
                .isEqualTo("{\"a\":{\"metadata\":{}}}");
    }
}
