package dev.slipway.controlplane.apiserver.rest;

import dev.slipway.controlplane.apiserver.core.ApiError;
import java.util.List;
import java.util.Map;

/** A request's query parameters. */
public record Query(Map<String, List<String>> parameters) {

    public Query {
        parameters = Map.copyOf(parameters);
    }

    public static Query empty() {
        return new Query(Map.of());
    }

    public String get(String name) {
        List<String> values = parameters.get(name);
        return values == null || values.isEmpty() ? "" : values.get(0);
    }

    public boolean flag(String name) {
        String value = get(name);
        return value.equals("true") || value.equals("1");
    }

    public long number(String name, long fallback) {
        String value = get(name);
        if (value.isEmpty()) {
            return fallback;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw ApiError.badRequest("query parameter " + name + " must be a number, not \"" + value + "\"");
        }
    }

    public boolean dryRun() {
        return parameters.getOrDefault("dryRun", List.of()).contains("All");
    }

    /** Strict, Warn (the default) or Ignore. */
    public String fieldValidation() {
        String value = get("fieldValidation");
        return value.isEmpty() ? "Warn" : value;
    }

    public LabelSelector labelSelector() {
        return LabelSelector.parse(get("labelSelector"));
    }

    public FieldSelector fieldSelector() {
        return FieldSelector.parse(get("fieldSelector"));
    }
}
