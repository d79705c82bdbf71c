package dev.slipway.controlplane.apiserver.patch;

import dev.slipway.controlplane.apiserver.core.ApiError;
import dev.slipway.controlplane.apiserver.core.Json;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Kubernetes' strategic merge patch: like a merge patch, but lists of objects with a merge key
 * (containers by name, ports by containerPort, ...) merge item by item, and the directives kubectl
 * sends ({@code $patch}, {@code $retainKeys}, {@code $setElementOrder/...},
 * {@code $deleteFromPrimitiveList/...}) are honoured.
 */
public final class StrategicMergePatch {

    private static final String DIRECTIVE = "$patch";
    private static final String RETAIN_KEYS = "$retainKeys";
    private static final String ORDER = "$setElementOrder/";
    private static final String DELETE_PRIMITIVE = "$deleteFromPrimitiveList/";
    private static final Set<String> CONTAINER_LISTS = Set.of("containers", "initContainers", "ephemeralContainers");
    private static final Map<String, String> MERGE_KEYS = Map.ofEntries(
            Map.entry("containers", "name"), Map.entry("initContainers", "name"), Map.entry("ephemeralContainers", "name"),
            Map.entry("volumes", "name"), Map.entry("env", "name"), Map.entry("imagePullSecrets", "name"),
            Map.entry("resourceClaims", "name"), Map.entry("volumeMounts", "mountPath"), Map.entry("volumeDevices", "devicePath"),
            Map.entry("hostAliases", "ip"), Map.entry("conditions", "type"), Map.entry("taints", "key"),
            Map.entry("ownerReferences", "uid"), Map.entry("readinessGates", "conditionType"),
            Map.entry("topologySpreadConstraints", "topologyKey"), Map.entry("secrets", "name"));
    private static final Set<String> PRIMITIVE_MERGE_LISTS = Set.of("finalizers");

    private StrategicMergePatch() {
    }

    /** Applies {@code patch} to {@code target} (which is left unchanged) for an object of {@code kind}. */
    public static ObjectNode apply(String kind, ObjectNode target, JsonNode patch) {
        if (!patch.isObject()) {
            throw ApiError.badRequest("a strategic merge patch must be a JSON object");
        }
        JsonNode merged = mergeMap(kind, List.of(), target.deepCopy(), (ObjectNode) patch);
        if (!(merged instanceof ObjectNode result)) {
            throw ApiError.badRequest("a strategic merge patch may not delete the whole object");
        }
        return result;
    }

    /** Merges {@code patch} into {@code target} in place; returns null when the patch deletes the map. */
    private static JsonNode mergeMap(String kind, List<String> path, ObjectNode target, ObjectNode patch) {
        String directive = patch.path(DIRECTIVE).asString("");
        if (directive.equals("delete")) {
            return null;
        }
        if (directive.equals("replace")) {
            return stripDirectives(patch);
        }
        for (var entry : patch.properties()) {
            String key = entry.getKey();
            JsonNode value = entry.getValue();
            if (key.equals(DIRECTIVE) || key.equals(RETAIN_KEYS) || key.startsWith(ORDER)) {
                continue;
            }
            if (key.startsWith(DELETE_PRIMITIVE)) {
                String field = key.substring(DELETE_PRIMITIVE.length());
                if (target.get(field) instanceof ArrayNode list && value.isArray()) {
                    Set<JsonNode> removed = new HashSet<>();
                    value.forEach(removed::add);
                    ArrayNode kept = Json.array();
                    list.forEach(item -> {
                        if (!removed.contains(item)) {
                            kept.add(item);
                        }
                    });
                    target.set(field, kept);
                }
                continue;
            }
            if (value.isNull()) {
                target.remove(key);
            } else if (value.isObject()) {
                ObjectNode existing = target.get(key) instanceof ObjectNode object ? object : Json.object();
                JsonNode merged = mergeMap(kind, append(path, key), existing, (ObjectNode) value);
                if (merged == null) {
                    target.remove(key);
                } else {
                    target.set(key, merged);
                }
            } else if (value.isArray()) {
                target.set(key, mergeList(kind, path, key, target.get(key), (ArrayNode) value));
            } else {
                target.set(key, value.deepCopy());
            }
        }
        for (var entry : patch.properties()) {
            if (entry.getKey().startsWith(ORDER)) {
                String field = entry.getKey().substring(ORDER.length());
                if (target.get(field) instanceof ArrayNode list && entry.getValue().isArray()) {
                    target.set(field, reorder(list, (ArrayNode) entry.getValue(), mergeKey(kind, path, field)));
                }
            }
        }
        if (patch.get(RETAIN_KEYS) instanceof ArrayNode retain) {
            Set<String> keep = new HashSet<>();
            retain.forEach(name -> keep.add(name.asString("")));
            target.propertyNames().stream().filter(name -> !keep.contains(name)).toList().forEach(target::remove);
        }
        return target;
    }

    private static JsonNode mergeList(String kind, List<String> path, String field, JsonNode existing, ArrayNode patch) {
        String key = mergeKey(kind, path, field);
        boolean replace = false;
        for (JsonNode item : patch) {
            replace |= item.isObject() && "replace".equals(item.path(DIRECTIVE).asString("")) && item.size() == 1;
        }
        if (replace || !(existing instanceof ArrayNode current)) {
            ArrayNode fresh = Json.array();
            for (JsonNode item : patch) {
                if (!(item.isObject() && item.has(DIRECTIVE))) {
                    fresh.add(item.isObject() ? stripDirectives((ObjectNode) item) : item.deepCopy());
                }
            }
            return fresh;
        }
        if (PRIMITIVE_MERGE_LISTS.contains(field)) {
            ArrayNode union = current.deepCopy();
            Set<JsonNode> present = new HashSet<>();
            current.forEach(present::add);
            patch.forEach(item -> {
                if (present.add(item)) {
                    union.add(item);
                }
            });
            return union;
        }
        if (key == null) {
            ArrayNode fresh = Json.array();
            patch.forEach(item -> fresh.add(item.isObject() ? stripDirectives((ObjectNode) item) : item.deepCopy()));
            return fresh;
        }
        Map<String, JsonNode> merged = new LinkedHashMap<>();
        List<JsonNode> unkeyed = new ArrayList<>();
        for (JsonNode item : current) {
            if (item.has(key)) {
                merged.put(item.get(key).toString(), item.deepCopy());
            } else {
                unkeyed.add(item.deepCopy());
            }
        }
        for (JsonNode item : patch) {
            if (!item.isObject() || !item.has(key)) {
                throw ApiError.badRequest("strategic merge patch: an item of list '" + field + "' lacks its merge key '" + key + "'");
            }
            String id = item.get(key).toString();
            ObjectNode base = merged.get(id) instanceof ObjectNode object ? object : Json.object();
            JsonNode result = mergeMap(kind, append(path, field), base, (ObjectNode) item);
            if (result == null) {
                merged.remove(id);
            } else {
                merged.put(id, result);
            }
        }
        ArrayNode list = Json.array();
        merged.values().forEach(list::add);
        unkeyed.forEach(list::add);
        return list;
    }

    private static ArrayNode reorder(ArrayNode list, ArrayNode order, String key) {
        List<JsonNode> remaining = new ArrayList<>();
        list.forEach(remaining::add);
        ArrayNode result = Json.array();
        for (JsonNode wanted : order) {
            for (int i = 0; i < remaining.size(); i++) {
                JsonNode item = remaining.get(i);
                boolean same = key == null ? item.equals(wanted) : item.isObject() && wanted.isObject() && item.path(key).equals(wanted.path(key));
                if (same) {
                    result.add(item);
                    remaining.remove(i);
                    break;
                }
            }
        }
        remaining.forEach(result::add);
        return result;
    }

    /** The merge key of a list field, or null when the list is replaced as a whole. */
    static String mergeKey(String kind, List<String> path, String field) {
        if (field.equals("ports")) {
            if (!path.isEmpty() && CONTAINER_LISTS.contains(path.get(path.size() - 1))) {
                return "containerPort";
            }
            return "Service".equals(kind) && path.equals(List.of("spec")) ? "port" : null;
        }
        if (field.equals("addresses")) {
            return path.equals(List.of("status")) ? "type" : null;
        }
        return MERGE_KEYS.get(field);
    }

    private static ObjectNode stripDirectives(ObjectNode node) {
        ObjectNode copy = node.deepCopy();
        copy.remove(DIRECTIVE);
        copy.remove(RETAIN_KEYS);
        copy.propertyNames().stream().filter(name -> name.startsWith(ORDER) || name.startsWith(DELETE_PRIMITIVE)).toList()
                .forEach(copy::remove);
        return copy;
    }

    private static List<String> append(List<String> path, String field) {
        List<String> longer = new ArrayList<>(path);
        longer.add(field);
        return longer;
    }
}
