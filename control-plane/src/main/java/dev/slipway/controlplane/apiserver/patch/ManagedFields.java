package dev.slipway.controlplane.apiserver.patch;

import dev.slipway.controlplane.apiserver.core.ApiError;
import dev.slipway.controlplane.apiserver.core.Json;
import dev.slipway.controlplane.apiserver.core.Timestamps;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Field ownership ({@code metadata.managedFields}) and server-side apply. A field is named by its
 * path of tokens as in Kubernetes' FieldsV1: {@code f:spec}, {@code k:{"name":"web"}} for an item
 * of a keyed list, {@code v:"x"} for a value of a set, {@code .} for a list item itself. Updates
 * give their manager the fields they changed; an apply owns exactly the fields it names, fails
 * with 409 when it changes a field another manager owns (unless forced), and removes the fields
 * its manager applied before and no longer names, when nobody else owns them.
 */
public final class ManagedFields {

    private static final String SEPARATOR = "\u0001";
    private static final Set<String> SYSTEM_METADATA = Set.of("name", "namespace", "uid", "resourceVersion", "generation",
            "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "managedFields", "selfLink");
    private static final Set<String> SET_LISTS = Set.of("finalizers");

    /** One entry of managedFields. */
    private record Entry(String manager, String operation, String apiVersion, String subresource, Set<String> fields, String time) {
        boolean same(String otherManager, String otherOperation, String otherSubresource) {
            return manager.equals(otherManager) && operation.equals(otherOperation) && subresource.equals(otherSubresource);
        }
    }

    /** What a write is: who makes it, with which API version, to which part of the object. */
    public record Writer(String manager, String apiVersion, String kind, String subresource, boolean statusSeparate) {
    }

    private ManagedFields() {
    }

    /** Records a create or update by {@code writer}: it takes the fields it changed. Sets {@code next}'s managedFields. */
    public static void recordUpdate(ObjectNode previous, ObjectNode next, Writer writer) {
        List<Entry> entries = previous == null ? new ArrayList<>() : read(previous);
        Map<String, JsonNode> before = previous == null ? Map.of() : leaves(previous, writer);
        Map<String, JsonNode> after = leaves(next, writer);
        Set<String> changed = new LinkedHashSet<>();
        after.forEach((path, value) -> {
            if (!Objects.equals(before.get(path), value)) {
                changed.add(path);
            }
        });
        Set<String> removed = new HashSet<>(before.keySet());
        removed.removeAll(after.keySet());
        List<Entry> updated = new ArrayList<>();
        boolean found = false;
        for (Entry entry : entries) {
            Set<String> fields = new TreeSet<>(entry.fields());
            fields.removeAll(removed);
            String time = entry.time();
            if (entry.same(writer.manager(), "Update", writer.subresource())) {
                fields.addAll(changed);
                found = true;
                time = changed.isEmpty() ? time : Timestamps.now();
            } else if (sameScope(entry, writer)) {
                fields.removeAll(changed);
            }
            updated.add(new Entry(entry.manager(), entry.operation(), entry.apiVersion(), entry.subresource(), fields, time));
        }
        if (!found && !changed.isEmpty()) {
            updated.add(new Entry(writer.manager(), "Update", writer.apiVersion(), writer.subresource(), new TreeSet<>(changed), Timestamps.now()));
        }
        write(next, updated);
    }

    /**
     * Server-side apply of {@code applied} by {@code writer} onto {@code live} (null when the object
     * does not exist yet): returns the merged object with its managedFields.
     */
    public static ObjectNode apply(ObjectNode live, ObjectNode applied, Writer writer, boolean force) {
        ObjectNode base = live == null ? Json.object() : live.deepCopy();
        List<Entry> entries = live == null ? new ArrayList<>() : read(live);
        Map<String, JsonNode> wanted = leaves(applied, writer);
        Map<String, JsonNode> current = live == null ? Map.of() : leaves(live, writer);
        Map<String, List<String>> conflicts = new LinkedHashMap<>();
        for (Entry entry : entries) {
            if (entry.same(writer.manager(), "Apply", writer.subresource()) || !sameScope(entry, writer)) {
                continue;
            }
            for (String path : entry.fields()) {
                if (wanted.containsKey(path) && !Objects.equals(wanted.get(path), current.get(path))) {
                    conflicts.computeIfAbsent(path, p -> new ArrayList<>()).add(entry.manager());
                }
            }
        }
        if (!conflicts.isEmpty() && !force) {
            throw conflict(conflicts, writer.apiVersion());
        }
        Set<String> previous = Set.of();
        Set<String> othersOwn = new HashSet<>();
        List<Entry> kept = new ArrayList<>();
        for (Entry entry : entries) {
            if (entry.same(writer.manager(), "Apply", writer.subresource())) {
                previous = entry.fields();
                continue;
            }
            Set<String> fields = new TreeSet<>(entry.fields());
            fields.removeAll(conflicts.keySet());
            othersOwn.addAll(fields);
            kept.add(new Entry(entry.manager(), entry.operation(), entry.apiVersion(), entry.subresource(), fields, entry.time()));
        }
        for (String path : previous) {
            if (!wanted.containsKey(path) && !othersOwn.contains(path)) {
                remove(base, List.of(path.split(SEPARATOR, -1)));
            }
        }
        merge(writer.kind(), List.of(), base, applied);
        kept.add(new Entry(writer.manager(), "Apply", writer.apiVersion(), writer.subresource(), new TreeSet<>(wanted.keySet()), Timestamps.now()));
        write(base, kept);
        return base;
    }

    private static boolean sameScope(Entry entry, Writer writer) {
        return !writer.statusSeparate() || entry.subresource().equals(writer.subresource());
    }

    private static ApiError conflict(Map<String, List<String>> conflicts, String apiVersion) {
        List<ApiError.Cause> causes = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        conflicts.forEach((path, managers) -> {
            for (String manager : managers) {
                String field = dotted(path);
                causes.add(new ApiError.Cause("FieldManagerConflict", field, "conflict with \"" + manager + "\" using " + apiVersion));
                lines.add("conflict with \"" + manager + "\" using " + apiVersion + ": " + field);
            }
        });
        String message = "Apply failed with " + lines.size() + " conflict" + (lines.size() == 1 ? "" : "s") + ": "
                + String.join("\n", lines);
        return new ApiError(409, "Conflict", message, "", "", "", causes);
    }

    /** {@code .spec.template.spec.containers[name="web"].image} for a path of tokens. */
    private static String dotted(String path) {
        StringBuilder field = new StringBuilder();
        for (String token : path.split(SEPARATOR, -1)) {
            if (token.startsWith("f:")) {
                field.append('.').append(token.substring(2));
            } else if (token.startsWith("k:")) {
                JsonNode key = Json.parse(token.substring(2).getBytes(StandardCharsets.UTF_8));
                key.forEachEntry((name, value) -> field.append('[').append(name).append('=').append(value).append(']'));
            } else if (token.startsWith("v:")) {
                field.append('[').append(token.substring(2)).append(']');
            }
        }
        return field.toString();
    }

    /** The owned leaves of an object: path to value. */
    private static Map<String, JsonNode> leaves(ObjectNode object, Writer writer) {
        Map<String, JsonNode> leaves = new LinkedHashMap<>();
        for (var entry : object.properties()) {
            String field = entry.getKey();
            if (field.equals("apiVersion") || field.equals("kind")) {
                continue;
            }
            boolean status = field.equals("status");
            if (writer.statusSeparate() && status != writer.subresource().equals("status")) {
                continue;
            }
            JsonNode value = entry.getValue();
            if (field.equals("metadata") && value.isObject()) {
                // A view of the fields a writer may own, sharing their values (nothing here changes them): a copy
                // would also copy managedFields, often the largest part of the object, on every write.
                ObjectNode metadata = Json.object();
                value.properties().forEach(property -> {
                    if (!SYSTEM_METADATA.contains(property.getKey())) {
                        metadata.set(property.getKey(), property.getValue());
                    }
                });
                value = metadata;
                if (metadata.isEmpty()) {
                    continue;
                }
            }
            collect(writer.kind(), List.of(), field, value, "f:" + field, leaves);
        }
        return leaves;
    }

    private static void collect(String kind, List<String> fieldPath, String field, JsonNode value, String path,
                                Map<String, JsonNode> leaves) {
        if (value.isObject() && !value.isEmpty()) {
            List<String> inner = append(fieldPath, field);
            for (var entry : value.properties()) {
                collect(kind, inner, entry.getKey(), entry.getValue(), path + SEPARATOR + "f:" + entry.getKey(), leaves);
            }
            return;
        }
        if (value.isArray() && !value.isEmpty()) {
            String key = StrategicMergePatch.mergeKey(kind, fieldPath, field);
            boolean keyed = key != null;
            for (JsonNode item : value) {
                keyed &= item.isObject() && item.has(key);
            }
            if (keyed) {
                List<String> inner = append(fieldPath, field);
                for (JsonNode item : value) {
                    ObjectNode id = Json.object();
                    id.set(key, item.get(key));
                    String itemPath = path + SEPARATOR + "k:" + id;
                    leaves.put(itemPath + SEPARATOR + ".", item.get(key));
                    for (var entry : item.properties()) {
                        collect(kind, inner, entry.getKey(), entry.getValue(), itemPath + SEPARATOR + "f:" + entry.getKey(), leaves);
                    }
                }
                return;
            }
            if (SET_LISTS.contains(field)) {
                for (JsonNode item : value) {
                    leaves.put(path + SEPARATOR + "v:" + item, item);
                }
                return;
            }
        }
        leaves.put(path, value);
    }

    private static void remove(ObjectNode object, List<String> tokens) {
        JsonNode current = object;
        for (int i = 0; i < tokens.size(); i++) {
            String token = tokens.get(i);
            boolean last = i == tokens.size() - 1 || tokens.get(i + 1).equals(".") && i + 1 == tokens.size() - 1 && token.startsWith("k:");
            if (token.startsWith("f:")) {
                if (!(current instanceof ObjectNode map)) {
                    return;
                }
                if (last) {
                    map.remove(token.substring(2));
                    return;
                }
                current = map.get(token.substring(2));
            } else if (token.startsWith("k:") || token.startsWith("v:")) {
                if (!(current instanceof ArrayNode list)) {
                    return;
                }
                JsonNode key = Json.parse(token.substring(2).getBytes(StandardCharsets.UTF_8));
                for (int at = 0; at < list.size(); at++) {
                    JsonNode item = list.get(at);
                    boolean match = token.startsWith("v:") ? item.equals(key) : key.properties().stream()
                            .allMatch(entry -> entry.getValue().equals(item.get(entry.getKey())));
                    if (match) {
                        if (last) {
                            list.remove(at);
                            return;
                        }
                        current = item;
                        break;
                    }
                }
            } else {
                return;
            }
            if (current == null) {
                return;
            }
        }
    }

    /** Merges an applied configuration into {@code target}: maps and keyed lists merge, everything else replaces. */
    private static void merge(String kind, List<String> fieldPath, ObjectNode target, JsonNode applied) {
        for (var entry : applied.properties()) {
            String field = entry.getKey();
            JsonNode value = entry.getValue();
            if (fieldPath.isEmpty() && field.equals("metadata") && value.isObject()) {
                ObjectNode metadata = Json.child(target, "metadata");
                ObjectNode given = ((ObjectNode) value).deepCopy();
                given.remove(List.of("managedFields", "resourceVersion", "uid", "creationTimestamp", "generation"));
                merge(kind, List.of("metadata"), metadata, given);
                continue;
            }
            JsonNode existing = target.get(field);
            if (value.isObject() && existing instanceof ObjectNode map) {
                merge(kind, append(fieldPath, field), map, value);
            } else if (value.isArray() && existing instanceof ArrayNode list) {
                target.set(field, mergeList(kind, fieldPath, field, list, (ArrayNode) value));
            } else {
                target.set(field, value.deepCopy());
            }
        }
    }

    private static ArrayNode mergeList(String kind, List<String> fieldPath, String field, ArrayNode existing, ArrayNode applied) {
        String key = StrategicMergePatch.mergeKey(kind, fieldPath, field);
        if (SET_LISTS.contains(field)) {
            ArrayNode union = existing.deepCopy();
            applied.forEach(item -> {
                if (!existing.valueStream().anyMatch(item::equals)) {
                    union.add(item);
                }
            });
            return union;
        }
        if (key == null) {
            return applied.deepCopy();
        }
        ArrayNode result = existing.deepCopy();
        for (JsonNode item : applied) {
            int found = -1;
            for (int i = 0; i < result.size(); i++) {
                if (item.has(key) && item.get(key).equals(result.get(i).get(key))) {
                    found = i;
                }
            }
            if (found >= 0 && result.get(found) instanceof ObjectNode map && item.isObject()) {
                merge(kind, append(fieldPath, field), map, item);
            } else {
                result.add(item.deepCopy());
            }
        }
        return result;
    }

    private static List<Entry> read(ObjectNode object) {
        List<Entry> entries = new ArrayList<>();
        JsonNode managed = Json.at(object, "metadata", "managedFields");
        if (managed == null || !managed.isArray()) {
            return entries;
        }
        for (JsonNode entry : managed) {
            Set<String> fields = new TreeSet<>();
            flatten(entry.path("fieldsV1"), "", fields);
            entries.add(new Entry(entry.path("manager").asString(""), entry.path("operation").asString("Update"),
                    entry.path("apiVersion").asString(""), entry.path("subresource").asString(""), fields,
                    entry.path("time").asString(Timestamps.now())));
        }
        return entries;
    }

    private static void flatten(JsonNode tree, String prefix, Set<String> fields) {
        if (!tree.isObject()) {
            return;
        }
        for (var entry : tree.properties()) {
            String path = prefix.isEmpty() ? entry.getKey() : prefix + SEPARATOR + entry.getKey();
            if (entry.getValue().isEmpty()) {
                if (!entry.getKey().equals(".") || prefix.contains("k:")) {
                    fields.add(path);
                }
            } else {
                flatten(entry.getValue(), path, fields);
            }
        }
    }

    private static void write(ObjectNode object, List<Entry> entries) {
        ArrayNode managed = Json.array();
        for (Entry entry : entries) {
            if (entry.fields().isEmpty()) {
                continue;
            }
            ObjectNode tree = Json.object();
            for (String path : entry.fields()) {
                ObjectNode node = tree;
                for (String token : path.split(SEPARATOR, -1)) {
                    node = Json.child(node, token);
                }
            }
            ObjectNode item = managed.addObject();
            item.put("manager", entry.manager());
            item.put("operation", entry.operation());
            item.put("apiVersion", entry.apiVersion());
            item.put("time", entry.time());
            item.put("fieldsType", "FieldsV1");
            item.set("fieldsV1", tree);
            if (!entry.subresource().isEmpty()) {
                item.put("subresource", entry.subresource());
            }
        }
        ObjectNode metadata = Json.metadata(object);
        if (managed.isEmpty()) {
            metadata.remove("managedFields");
        } else {
            metadata.set("managedFields", managed);
        }
    }

    private static List<String> append(List<String> path, String field) {
        List<String> longer = new ArrayList<>(path);
        longer.add(field);
        return longer;
    }
}
