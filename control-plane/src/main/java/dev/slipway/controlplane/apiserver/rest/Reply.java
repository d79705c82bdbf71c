package dev.slipway.controlplane.apiserver.rest;

import dev.slipway.controlplane.apiserver.core.Json;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * What a resource operation answers: the HTTP code, the body, and warnings for {@code Warning} headers.
 * {@code json} is the body already serialized (a write answers with the bytes it stored), or null.
 */
public record Reply(int code, JsonNode body, byte[] json, List<String> warnings) {

    public Reply {
        warnings = List.copyOf(warnings);
    }

    public Reply(int code, JsonNode body, List<String> warnings) {
        this(code, body, null, warnings);
    }

    public static Reply ok(JsonNode body) {
        return new Reply(200, body, List.of());
    }

    public static Reply created(JsonNode body) {
        return new Reply(201, body, List.of());
    }

    /** {@code body} with its serialization {@code json}, which must be equivalent to it. */
    static Reply serialized(int code, JsonNode body, byte[] json) {
        return new Reply(code, body, json, List.of());
    }

    /** The body as JSON bytes. */
    public byte[] bodyBytes() {
        return json != null ? json : Json.bytes(body);
    }

    public Reply withWarnings(List<String> more) {
        if (more.isEmpty()) {
            return this;
        }
        List<String> all = new ArrayList<>(warnings);
        all.addAll(more);
        return new Reply(code, body, json, all);
    }
}
