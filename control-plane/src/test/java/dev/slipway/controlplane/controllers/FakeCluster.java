package dev.slipway.controlplane.controllers;

import dev.slipway.controlplane.controller.Lister;
import dev.slipway.controlplane.controller.ObjectRef;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * In-memory cluster for reconcile unit tests: the writer records every change as a line
 * ("create Pod default/web-1") and applies it with the API server's basic rules (generated names,
 * uids, resourceVersion conflicts, status kept apart from spec); listers read the same objects,
 * unless {@link #lagCache} hides the objects created since, as a slow informer would.
 */
final class FakeCluster implements ObjectWriter, EventRecorder {

    static final Instant NOW = Instant.parse("2025-01-01T12:00:00Z");

    private final Map<String, HasMetadata> objects = new LinkedHashMap<>();
    private final List<String> actions = new ArrayList<>();
    private final List<String> events = new ArrayList<>();
    private final Set<String> hidden = new HashSet<>();
    private boolean lagging;
    private int sequence;
    Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

    private static String id(HasMetadata object) {
        return object.getKind() + " " + ObjectRef.of(object);
    }

    /** Puts an object in place as if it had been stored earlier. */
    <T extends HasMetadata> T seed(T object) {
        T copy = TemplateHash.SERIALIZATION.clone(object);
        stamp(copy);
        objects.put(id(copy), copy);
        return copy;
    }

    private void stamp(HasMetadata copy) {
        var metadata = copy.getMetadata();
        if (metadata.getNamespace() == null && !(copy instanceof io.fabric8.kubernetes.api.model.Node)) {
            metadata.setNamespace("default");
        }
        if (metadata.getUid() == null) {
            metadata.setUid("uid-" + (++sequence));
        }
        if (metadata.getCreationTimestamp() == null) {
            metadata.setCreationTimestamp(NOW.plusSeconds(sequence).toString());
        }
        if (metadata.getGeneration() == null) {
            metadata.setGeneration(1L);
        }
        metadata.setResourceVersion(Integer.toString(++sequence));
    }

    <T extends HasMetadata> Lister<T> lister(Class<T> type) {
        return new Lister<>() {
            @Override
            public Optional<T> get(ObjectRef ref) {
                return list(ref.namespace()).stream().filter(object -> object.getMetadata().getName().equals(ref.name())).findFirst();
            }

            @Override
            public List<T> list(String namespace) {
                return objects.entrySet().stream().filter(entry -> !hidden.contains(entry.getKey())).map(Map.Entry::getValue)
                        .filter(type::isInstance).map(type::cast)
                        .filter(object -> namespace.isEmpty() || namespace.equals(object.getMetadata().getNamespace()))
                        .map(TemplateHash.SERIALIZATION::clone).toList();
            }
        };
    }

    /** What the API server holds, whether or not the listers have seen it yet. */
    <T extends HasMetadata> List<T> stored(Class<T> type) {
        return objects.values().stream().filter(type::isInstance).map(type::cast).map(TemplateHash.SERIALIZATION::clone).toList();
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return lister(type).list("");
    }

    <T extends HasMetadata> T get(Class<T> type, String name) {
        return lister(type).get(new ObjectRef(type == io.fabric8.kubernetes.api.model.Node.class ? "" : "default", name)).orElseThrow();
    }

    /** From now on, newly created objects stay out of the listers until {@link #catchUp}. */
    void lagCache() {
        lagging = true;
    }

    void catchUp() {
        lagging = false;
        hidden.clear();
    }

    List<String> actions() {
        return List.copyOf(actions);
    }

    List<String> events() {
        return List.copyOf(events);
    }

    void clearActions() {
        actions.clear();
        events.clear();
    }

    /** Changes a stored object directly, as another client (or a kubelet) would. */
    <T extends HasMetadata> T change(T object) {
        T copy = TemplateHash.SERIALIZATION.clone(object);
        copy.getMetadata().setResourceVersion(Integer.toString(++sequence));
        objects.put(id(copy), copy);
        return copy;
    }

    @Override
    public <T extends HasMetadata> T create(T object) {
        T copy = TemplateHash.SERIALIZATION.clone(object);
        var metadata = copy.getMetadata();
        if ((metadata.getName() == null || metadata.getName().isEmpty()) && metadata.getGenerateName() != null) {
            metadata.setName(metadata.getGenerateName() + "x" + (++sequence));
        }
        if (metadata.getNamespace() == null && !(copy instanceof io.fabric8.kubernetes.api.model.Node)) {
            metadata.setNamespace("default");
        }
        if (objects.containsKey(id(copy))) {
            throw new KubernetesClientException("already exists: " + id(copy), 409, null);
        }
        stamp(copy);
        objects.put(id(copy), copy);
        if (lagging) {
            hidden.add(id(copy));
        }
        actions.add("create " + id(copy));
        return TemplateHash.SERIALIZATION.clone(copy);
    }

    @Override
    public <T extends HasMetadata> T update(T object) {
        return write(object, false);
    }

    @Override
    public <T extends HasMetadata> T updateStatus(T object) {
        return write(object, true);
    }

    @SuppressWarnings("unchecked")
    private <T extends HasMetadata> T write(T object, boolean status) {
        HasMetadata stored = objects.get(id(object));
        if (stored == null) {
            throw new KubernetesClientException("not found: " + id(object), 404, null);
        }
        if (!Objects.equals(stored.getMetadata().getResourceVersion(), object.getMetadata().getResourceVersion())) {
            throw new KubernetesClientException("conflict on " + id(object), 409, null);
        }
        var tree = TemplateHash.SERIALIZATION.convertValue(object, tools.jackson.databind.node.ObjectNode.class);
        var before = TemplateHash.SERIALIZATION.convertValue(stored, tools.jackson.databind.node.ObjectNode.class);
        if (status) {
            before.set("status", tree.get("status"));
            tree = before;
        } else if (before.has("status")) {
            tree.set("status", before.get("status"));
        } else {
            tree.remove("status");
        }
        T next = (T) TemplateHash.SERIALIZATION.convertValue(tree, object.getClass());
        next.getMetadata().setResourceVersion(Integer.toString(++sequence));
        if (next.getMetadata().getDeletionTimestamp() != null
                && (next.getMetadata().getFinalizers() == null || next.getMetadata().getFinalizers().isEmpty())) {
            objects.remove(id(object));
            actions.add("delete " + id(object) + " (finalized)");
            return next;
        }
        objects.put(id(next), next);
        actions.add((status ? "status " : "update ") + id(next));
        return TemplateHash.SERIALIZATION.clone(next);
    }

    @Override
    public void delete(HasMetadata object, Deletion deletion) {
        HasMetadata stored = objects.get(id(object));
        if (stored == null) {
            return;
        }
        if (deletion == Deletion.FOREGROUND) {
            HasMetadata copy = TemplateHash.SERIALIZATION.clone(stored);
            List<String> finalizers = new ArrayList<>(Objects.requireNonNullElse(copy.getMetadata().getFinalizers(), List.of()));
            finalizers.add(GarbageCollector.FOREGROUND);
            copy.getMetadata().setFinalizers(finalizers);
            copy.getMetadata().setDeletionTimestamp(NOW.toString());
            objects.put(id(copy), copy);
            actions.add("delete " + id(object) + " (foreground)");
            return;
        }
        objects.remove(id(object));
        actions.add("delete " + id(object) + (deletion == Deletion.IMMEDIATE ? " (now)" : ""));
    }

    @Override
    public void normal(HasMetadata involved, String reason, String message) {
        events.add(reason + ": " + message);
    }

    @Override
    public void warning(HasMetadata involved, String reason, String message) {
        events.add(reason + ": " + message);
    }
}
