package dev.slipway.controlplane.apiserver.core;

import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** The API server's one JSON (and YAML) mapper configuration, and small tree accessors. */
public final class Json {

    public static final JsonMapper MAPPER = JsonMapper.builder().build();
    public static final YAMLMapper YAML = YAMLMapper.builder().build();
    public static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Json() {
    }

    public static ObjectNode object() {
        return NODES.objectNode();
    }

    public static ArrayNode array() {
        return NODES.arrayNode();
    }

    public static byte[] bytes(JsonNode node) {
        return MAPPER.writeValueAsBytes(node);
    }

    public static JsonNode parse(byte[] json) throws JacksonException {
        return MAPPER.readTree(json);
    }

    public static JsonNode parseYaml(byte[] yaml) throws JacksonException {
        return YAML.readTree(yaml);
    }

    /** The child object {@code name} of {@code parent}, created when missing or not an object. */
    public static ObjectNode child(ObjectNode parent, String name) {
        JsonNode existing = parent.get(name);
        if (existing instanceof ObjectNode object) {
            return object;
        }
        return parent.putObject(name);
    }

    /** The text at a path of field names, when every step exists and the leaf is a string. */
    public static Optional<String> text(JsonNode node, String... path) {
        JsonNode current = at(node, path);
        return current != null && current.isString() ? Optional.of(current.stringValue()) : Optional.empty();
    }

    public static String textOr(JsonNode node, String fallback, String... path) {
        return text(node, path).orElse(fallback);
    }

    /** The node at a path of field names, or null when a step is missing. */
    public static JsonNode at(JsonNode node, String... path) {
        JsonNode current = node;
        for (String step : path) {
            if (current == null || !current.isObject()) {
                return null;
            }
            current = current.get(step);
        }
        return current;
    }

    public static ObjectNode metadata(ObjectNode object) {
        return child(object, "metadata");
    }
}
