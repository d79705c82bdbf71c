package dev.slipway.controlplane.apiserver.rest;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** What a resource operation answers: the HTTP code, the body, and warnings for {@code Warning} headers. */
public record Reply(int code, JsonNode body, List<String> warnings) {

    public Reply {
        warnings = List.copyOf(warnings);
    }

    public static Reply ok(JsonNode body) {
        return new Reply(200, body, List.of());
    }

    public static Reply created(JsonNode body) {
        return new Reply(201, body, List.of());
    }

    public Reply withWarnings(List<String> more) {
        if (more.isEmpty()) {
            return this;
        }
        List<String> all = new ArrayList<>(warnings);
        all.addAll(more);
        return new Reply(code, body, all);
    }
}
