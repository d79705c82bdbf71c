package dev.slipway.controlplane.auth;

import java.util.function.Function;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** Reads and writes the fabric8 model objects that auth keeps in its caches and writes as default policy. */
final class ModelJson {

    // Stored objects may carry fields newer than the model; auth needs only the fields it knows.
    static final JsonMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private ModelJson() {
    }

    static <T> T read(byte[] json, Class<T> type) {
        return MAPPER.readValue(json, type);
    }

    static <T> Function<byte[], T> reader(Class<T> type) {
        return json -> read(json, type);
    }

    static byte[] write(Object value) {
        return MAPPER.writeValueAsBytes(value);
    }
}
