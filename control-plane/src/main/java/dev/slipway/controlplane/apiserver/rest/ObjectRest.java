package dev.slipway.controlplane.apiserver.rest;

import dev.slipway.controlplane.apiserver.core.ApiError;
import dev.slipway.controlplane.apiserver.core.Json;
import dev.slipway.controlplane.apiserver.core.StorableJson;
import dev.slipway.controlplane.apiserver.core.Timestamps;
import dev.slipway.controlplane.apiserver.patch.JsonPatch;
import dev.slipway.controlplane.apiserver.patch.ManagedFields;
import dev.slipway.controlplane.apiserver.patch.MergePatch;
import dev.slipway.controlplane.apiserver.patch.PatchType;
import dev.slipway.controlplane.apiserver.patch.StrategicMergePatch;
import dev.slipway.controlplane.apiserver.resources.KnownFields;
import dev.slipway.controlplane.apiserver.resources.ResourceDescriptor;
import dev.slipway.controlplane.apiserver.resources.ResourceRegistry;
import dev.slipway.controlplane.storage.ListPage;
import dev.slipway.controlplane.storage.ListRequest;
import dev.slipway.controlplane.storage.ObjectKey;
import dev.slipway.controlplane.storage.ObjectStore;
import dev.slipway.controlplane.storage.StorageException;
import dev.slipway.controlplane.storage.StoredObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Supplier;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Kubernetes' REST semantics for every registered resource, on an {@link ObjectStore}: create, get,
 * list, update with compare-and-swap, the four kinds of patch, delete with finalizers and grace
 * periods, and the status, scale, binding, eviction, approval and finalize subresources.
 */
public final class ObjectRest {

    private static final int RETRIES = 16;
    private static final String NAME_CHARACTERS = "bcdfghjklmnpqrstvwxz2456789";
    private static final int GENERATED_SUFFIX_LENGTH = 5;
    private static final int MAX_GENERATED_NAME_BASE = 63 - GENERATED_SUFFIX_LENGTH;
    private static final String MODIFIED = "the object has been modified; please apply your changes to the latest version and try again";

    private final ObjectStore store;
    private final ResourceRegistry registry;
    private final ServiceAllocations allocations;
    private final NamespaceLifecycle namespaces;
    private final UidSource uids = new UidSource();
    private volatile Runnable namespaceDeleted = () -> { };

    public ObjectRest(ObjectStore store, ResourceRegistry registry, ServiceAllocations allocations, NamespaceLifecycle namespaces) {
        this.store = store;
        this.registry = registry;
        this.allocations = allocations;
        this.namespaces = namespaces;
    }

    public ResourceRegistry registry() {
        return registry;
    }

    public ObjectStore store() {
        return store;
    }

    /** Called after a namespace was marked for deletion, to wake the namespace finalizer. */
    public void onNamespaceDeleted(Runnable listener) {
        this.namespaceDeleted = listener;
    }

    // ---------------------------------------------------------------- reads

    public Reply get(ResourceDescriptor resource, String namespace, String name, String subresource) {
        StoredObject stored = load(resource, namespace, name);
        ObjectNode object = present(stored);
        return switch (subresource) {
            case "", "status" -> Reply.ok(object);
            case "scale" -> Reply.ok(scaleOf(resource, object));
            default -> throw ApiError.notFoundPath(resource.plural() + "/" + subresource);
        };
    }

    public Reply list(ResourceDescriptor resource, String namespace, Query query) {
        LabelSelector labels = query.labelSelector();
        FieldSelector fields = query.fieldSelector();
        long revision = "Exact".equals(query.get("resourceVersionMatch")) ? query.number("resourceVersion", 0) : 0;
        ListPage page;
        try {
            page = store.list(resource.plural(), scope(resource, namespace),
                    new ListRequest(query.number("limit", 0), query.get("continue"), revision));
        } catch (StorageException.InvalidContinue e) {
            throw ApiError.badRequest(e.getMessage());
        }
        ArrayNode items = Json.array();
        for (StoredObject stored : page.items()) {
            ObjectNode object = present(stored);
            if (matches(object, labels, fields)) {
                items.add(object);
            }
        }
        ObjectNode list = Json.object();
        list.put("kind", resource.kind() + "List");
        list.put("apiVersion", resource.apiVersion());
        ObjectNode metadata = list.putObject("metadata");
        metadata.put("resourceVersion", Long.toString(page.revision()));
        if (page.hasMore()) {
            metadata.put("continue", page.continueToken());
            if (labels.isEverything() && fields.isEverything()) {
                metadata.put("remainingItemCount", page.remainingCount());
            }
        }
        list.set("items", items);
        return Reply.ok(list);
    }

    public WatchSession watch(ResourceDescriptor resource, String namespace, Query query) {
        return WatchSession.open(this, resource, scope(resource, namespace), query);
    }

    // ---------------------------------------------------------------- create

    public Reply create(ResourceDescriptor resource, String namespace, JsonNode body, Query query, String manager) {
        ObjectNode object = requireObject(body);
        List<String> warnings = checkBody(resource, object, query, false);
        ObjectNode metadata = Json.metadata(object);
        placeInNamespace(resource, namespace, metadata);
        ManagedFields.recordUpdate(null, object, writer(resource, manager, "", "Update"));
        return createPrepared(resource, object, query).withWarnings(warnings);
    }

    private Reply createPrepared(ResourceDescriptor resource, ObjectNode object, Query query) {
        ObjectNode metadata = Json.metadata(object);
        String namespace = metadata.path("namespace").asString("");
        if (resource.namespaced()) {
            namespaces.requireLive(namespace);
        }
        String generateName = generatedNameBase(metadata.path("generateName").asString(""));
        boolean generated = metadata.path("name").asString("").isEmpty() && !generateName.isEmpty();
        for (int attempt = 0; ; attempt++) {
            if (generated) {
                metadata.put("name", generateName + randomSuffix());
            }
            prepareForCreate(resource, object);
            var causes = resource.validator().validate(object);
            if (!causes.isEmpty()) {
                throw ApiError.invalid(resource.group(), resource.kind(), metadata.path("name").asString(""), causes);
            }
            String name = metadata.get("name").asString();
            ObjectKey key = new ObjectKey(resource.plural(), resource.namespaced() ? namespace : "", name);
            List<Runnable> undo = allocateServiceAddresses(resource, null, object, query.dryRun());
            if (query.dryRun()) {
                if (store.get(key).isPresent()) {
                    throw ApiError.alreadyExists(resource.group(), resource.plural(), name);
                }
                return Reply.created(object);
            }
            try {
                StorableJson json = StorableJson.of(object);
                StoredObject stored = store.create(key, json.bytes());
                // The object in hand is what was stored: serve it rather than parse or serialize it again.
                metadata.put("resourceVersion", stored.resourceVersion());
                return Reply.serialized(201, object, json.withResourceVersion(stored.resourceVersion()));
            } catch (StorageException.AlreadyExists e) {
                undo.forEach(Runnable::run);
                if (!generated || attempt >= 5) {
                    throw ApiError.alreadyExists(resource.group(), resource.plural(), name);
                }
            } catch (RuntimeException e) {
                undo.forEach(Runnable::run);
                throw e;
            }
        }
    }

    private void prepareForCreate(ResourceDescriptor resource, ObjectNode object) {
        ObjectNode metadata = Json.metadata(object);
        metadata.remove(List.of("resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink"));
        metadata.put("uid", uids.next());
        metadata.put("creationTimestamp", Timestamps.now());
        if (object.has("spec") || resource.hasScale()) {
            metadata.put("generation", 1);
        } else {
            metadata.remove("generation");
        }
        switch (resource.kind()) {
            case "Pod" -> {
                ObjectNode status = object.putObject("status");
                status.put("phase", "Pending");
                status.put("qosClass", qosClass(object));
            }
            case "Node", "Namespace", "PersistentVolume", "PersistentVolumeClaim" -> { }
            default -> {
                if (resource.hasStatus()) {
                    object.remove("status");
                }
            }
        }
        resource.defaulter().apply(object);
    }

    // ---------------------------------------------------------------- update and patch

    public Reply update(ResourceDescriptor resource, String namespace, String name, String subresource, JsonNode body,
                        Query query, String manager) {
        ObjectNode given = requireObject(body);
        if (subresource.equals("scale")) {
            return updateScale(resource, namespace, name, given, query, manager);
        }
        List<String> warnings = checkBody(resource, given, query, true);
        ObjectNode metadata = Json.metadata(given);
        placeInNamespace(resource, namespace, metadata);
        String bodyName = metadata.path("name").asString("");
        if (!bodyName.equals(name)) {
            throw ApiError.badRequest("the name of the object (" + bodyName + ") does not match the name on the URL (" + name + ")");
        }
        String precondition = metadata.path("resourceVersion").asString("");
        return readModifyWrite(resource, namespace, name, precondition, base -> {
            checkPrecondition(resource, name, precondition, base.stored());
            ObjectNode old = parse(base.stored());
            ObjectNode next = prepareUpdate(resource, old, given.deepCopy(), subresource);
            return writeUpdate(resource, base, old, next, query, writer(resource, manager, subresource, "Update"), true);
        }).withWarnings(warnings);
    }

    public Reply patch(ResourceDescriptor resource, String namespace, String name, String subresource, PatchType type,
                       byte[] body, Query query, String manager) {
        if (type.isApply()) {
            return apply(resource, namespace, name, subresource, body, query, manager);
        }
        JsonNode patch = parseBody(body, false);
        List<String> warnings = new ArrayList<>();
        Reply reply = readModifyWrite(resource, namespace, name, "", base -> {
            StoredObject current = base.stored();
            ObjectNode old = parse(current);
            ObjectNode target = subresource.equals("scale") ? scaleOf(resource, present(current)) : present(current);
            JsonNode patched = switch (type) {
                case JSON -> JsonPatch.apply(target, patch);
                case MERGE -> MergePatch.apply(target, patch);
                case STRATEGIC -> StrategicMergePatch.apply(resource.kind(), target, patch);
                default -> throw ApiError.unsupportedMediaType(type.contentType());
            };
            ObjectNode next = requireObject(patched);
            checkPrecondition(resource, name, Json.textOr(next, "", "metadata", "resourceVersion"), current);
            if (subresource.equals("scale")) {
                return writeScale(resource, base, old, next, query, manager);
            }
            warnings.clear();
            warnings.addAll(checkBody(resource, next, query, true));
            if (!Json.textOr(next, name, "metadata", "name").equals(name)) {
                throw ApiError.badRequest("a patch may not change the object's name");
            }
            next = prepareUpdate(resource, old, next, subresource);
            return writeUpdate(resource, base, old, next, query, writer(resource, manager, subresource, "Update"), true);
        });
        return reply.withWarnings(warnings);
    }

    private Reply apply(ResourceDescriptor resource, String namespace, String name, String subresource, byte[] body,
                        Query query, String manager) {
        ObjectNode applied = requireObject(parseBody(body, true));
        if (!applied.has("apiVersion") || !applied.has("kind")) {
            throw ApiError.badRequest("apply requires apiVersion and kind in the applied configuration");
        }
        List<String> warnings = checkBody(resource, applied, query, true);
        placeInNamespace(resource, namespace, Json.metadata(applied));
        String appliedName = Json.textOr(applied, "", "metadata", "name");
        if (!appliedName.equals(name)) {
            throw ApiError.badRequest("the name of the object (" + appliedName + ") does not match the name on the URL (" + name + ")");
        }
        if (manager.isEmpty()) {
            throw ApiError.badRequest("PATCH with an apply patch requires the fieldManager parameter");
        }
        boolean force = query.flag("force");
        ManagedFields.Writer writer = writer(resource, manager, subresource, "Apply");
        return retrying("", () -> {
            Optional<StoredObject> existing = store.get(key(resource, namespace, name));
            if (existing.isEmpty()) {
                if (!subresource.isEmpty()) {
                    throw ApiError.notFound(resource.group(), resource.plural(), name);
                }
                ObjectNode object = ManagedFields.apply(null, applied, writer, force);
                return createPrepared(resource, object, query);
            }
            StoredObject current = existing.get();
            ObjectNode old = parse(current);
            ObjectNode merged = ManagedFields.apply(old, applied, writer, force);
            ObjectNode next = prepareUpdate(resource, old, merged, subresource);
            return writeUpdate(resource, Base.read(current), old, next, query, writer, false);
        }).withWarnings(warnings);
    }

    /** Keeps what an update may not change: system metadata, and status or everything-but-status by subresource. */
    private ObjectNode prepareUpdate(ResourceDescriptor resource, ObjectNode old, ObjectNode next, String subresource) {
        ObjectNode result;
        switch (subresource) {
            case "status" -> {
                result = old.deepCopy();
                if (next.has("status")) {
                    result.set("status", next.get("status"));
                } else {
                    result.remove("status");
                }
                Json.metadata(result).set("managedFields", Json.metadata(next).get("managedFields"));
            }
            case "approval" -> {
                result = old.deepCopy();
                Json.child(result, "status").set("conditions", Json.at(next, "status", "conditions"));
            }
            case "finalize" -> {
                result = old.deepCopy();
                Json.child(result, "spec").set("finalizers", Json.at(next, "spec", "finalizers"));
            }
            case "" -> {
                result = next;
                if (resource.hasStatus() && !resource.kind().equals("Namespace")) {
                    if (old.has("status")) {
                        result.set("status", old.get("status"));
                    } else {
                        result.remove("status");
                    }
                }
                if (resource.kind().equals("Namespace")) {
                    result.set("status", old.get("status"));
                }
            }
            default -> throw ApiError.notFoundPath(resource.plural() + "/" + subresource);
        }
        ObjectNode metadata = Json.metadata(result);
        ObjectNode previous = Json.metadata(old);
        for (String field : List.of("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation",
                "name", "namespace")) {
            if (previous.has(field)) {
                metadata.set(field, previous.get(field));
            } else {
                metadata.remove(field);
            }
        }
        metadata.remove("resourceVersion");
        if (previous.has("deletionTimestamp") && metadata.get("finalizers") instanceof ArrayNode added
                && previous.get("finalizers") instanceof ArrayNode before) {
            for (JsonNode finalizer : added) {
                if (!before.valueStream().anyMatch(finalizer::equals)) {
                    throw ApiError.forbidden("no new finalizers can be added if the object is being deleted, found new finalizers ["
                            + finalizer.asString() + "]");
                }
            }
        }
        if (previous.has("generation") && !sameOutsideMetadataAndStatus(old, result)) {
            metadata.put("generation", previous.get("generation").asLong() + 1);
        }
        return result;
    }

    private Reply writeUpdate(ResourceDescriptor resource, Base base, ObjectNode old, ObjectNode next, Query query,
                              ManagedFields.Writer writer, boolean recordFields) {
        StoredObject current = base.stored();
        resource.defaulter().apply(next);
        var causes = resource.validator().validate(next);
        if (!causes.isEmpty()) {
            throw ApiError.invalid(resource.group(), resource.kind(), current.key().name(), causes);
        }
        List<Runnable> undo = allocateServiceAddresses(resource, old, next, query.dryRun());
        try {
            if (recordFields) {
                ManagedFields.recordUpdate(old, next, writer);
            }
            ObjectNode metadata = Json.metadata(next);
            // As Kubernetes: an update removes the object only once its grace period is over (0); a terminating
            // pod's status writes keep it until the kubelet deletes it with grace 0.
            if (metadata.has("deletionTimestamp") && metadata.path("finalizers").isEmpty()
                    && metadata.path("deletionGracePeriodSeconds").asLong(0) == 0
                    && !resource.kind().equals("Namespace") && !query.dryRun()) {
                StoredObject deleted = store.delete(current.key(), OptionalLong.of(current.modRevision()));
                releaseServiceAddresses(resource, next);
                ObjectNode gone = next.deepCopy();
                Json.metadata(gone).put("resourceVersion", Long.toString(deleted.modRevision()));
                return Reply.ok(gone);
            }
            if (next.equals(old)) {
                return Reply.ok(present(base.unchanged()));
            }
            if (query.dryRun()) {
                Json.metadata(next).put("resourceVersion", base.unchanged().resourceVersion());
                return Reply.ok(next);
            }
            StorableJson json = StorableJson.of(next);
            StoredObject stored = store.update(current.key(), current.modRevision(), json.bytes());
            releaseReplacedServiceAddresses(resource, old, next);
            // The object in hand is what was stored: serve it rather than parse or serialize it again.
            metadata.put("resourceVersion", stored.resourceVersion());
            return Reply.serialized(200, next, json.withResourceVersion(stored.resourceVersion()));
        } catch (RuntimeException e) {
            undo.forEach(Runnable::run);
            throw e;
        }
    }

    // ---------------------------------------------------------------- scale

    private ObjectNode scaleOf(ResourceDescriptor resource, ObjectNode object) {
        if (!resource.hasScale()) {
            throw ApiError.notFoundPath(resource.plural() + "/scale");
        }
        ObjectNode scale = Json.object();
        scale.put("kind", "Scale");
        scale.put("apiVersion", "autoscaling/v1");
        ObjectNode metadata = scale.putObject("metadata");
        ObjectNode source = Json.metadata(object);
        for (String field : List.of("name", "namespace", "uid", "resourceVersion", "creationTimestamp")) {
            if (source.has(field)) {
                metadata.set(field, source.get(field));
            }
        }
        scale.putObject("spec").put("replicas", Json.at(object, "spec", "replicas") instanceof JsonNode replicas ? replicas.asInt() : 0);
        ObjectNode status = scale.putObject("status");
        status.put("replicas", Json.at(object, "status", "replicas") instanceof JsonNode replicas ? replicas.asInt() : 0);
        JsonNode matchLabels = Json.at(object, "spec", "selector", "matchLabels");
        if (matchLabels != null && matchLabels.isObject()) {
            List<String> terms = new ArrayList<>();
            matchLabels.forEachEntry((key, value) -> terms.add(key + "=" + value.asString()));
            status.put("selector", String.join(",", terms));
        }
        return scale;
    }

    private Reply updateScale(ResourceDescriptor resource, String namespace, String name, ObjectNode scale, Query query,
                              String manager) {
        String precondition = Json.textOr(scale, "", "metadata", "resourceVersion");
        return readModifyWrite(resource, namespace, name, precondition, base -> {
            checkPrecondition(resource, name, precondition, base.stored());
            return writeScale(resource, base, parse(base.stored()), scale, query, manager);
        });
    }

    private Reply writeScale(ResourceDescriptor resource, Base base, ObjectNode old, ObjectNode scale, Query query,
                             String manager) {
        JsonNode replicas = Json.at(scale, "spec", "replicas");
        if (replicas == null || !replicas.isIntegralNumber() || replicas.asLong() < 0) {
            throw ApiError.invalid("autoscaling", "Scale", base.stored().key().name(), List.of(new ApiError.Cause("FieldValueInvalid",
                    "spec.replicas", "Invalid value: " + replicas + ": must be greater than or equal to 0")));
        }
        ObjectNode next = old.deepCopy();
        Json.child(next, "spec").put("replicas", replicas.asInt());
        next = prepareUpdate(resource, old, next, "");
        Reply reply = writeUpdate(resource, base, old, next, query, writer(resource, manager, "scale", "Update"), true);
        return Reply.ok(scaleOf(resource, (ObjectNode) reply.body()));
    }

    // ---------------------------------------------------------------- create on subresources

    /** POST to a subresource: pods/binding and pods/eviction. */
    public Reply createSubresource(ResourceDescriptor resource, String namespace, String name, String subresource, JsonNode body,
                                   Query query, String manager) {
        ObjectNode given = requireObject(body);
        if (!resource.kind().equals("Pod")) {
            throw ApiError.methodNotAllowed("POST is not allowed on " + resource.plural() + "/" + subresource);
        }
        return switch (subresource) {
            case "binding" -> bind(resource, namespace, name, given, query, manager);
            case "eviction" -> {
                delete(resource, namespace, name, Json.object(), query);
                ObjectNode status = Json.object();
                status.put("kind", "Status").put("apiVersion", "v1").put("status", "Success");
                status.putObject("metadata");
                yield new Reply(201, status, List.of());
            }
            default -> throw ApiError.notFoundPath(resource.plural() + "/" + subresource);
        };
    }

    private Reply bind(ResourceDescriptor resource, String namespace, String name, ObjectNode binding, Query query, String manager) {
        String node = Json.textOr(binding, "", "target", "name");
        if (node.isEmpty()) {
            throw ApiError.invalid("", "Binding", name, List.of(new ApiError.Cause("FieldValueRequired", "target.name", "Required value")));
        }
        readModifyWrite(resource, namespace, name, "", base -> {
            ObjectNode old = parse(base.stored());
            String assigned = Json.textOr(old, "", "spec", "nodeName");
            if (!assigned.isEmpty()) {
                throw ApiError.conflict("", "pods", name, "pod " + name + " is already assigned to node \"" + assigned + "\"");
            }
            if (Json.text(old, "metadata", "deletionTimestamp").isPresent()) {
                throw ApiError.conflict("", "pods", name, "pod " + name + " is being deleted, cannot be assigned to a host");
            }
            ObjectNode next = old.deepCopy();
            Json.child(next, "spec").put("nodeName", node);
            ArrayNode conditions = Json.child(next, "status").putArray("conditions");
            conditions.addObject().put("type", "PodScheduled").put("status", "True").put("lastTransitionTime", Timestamps.now());
            return writeUpdate(resource, base, old, next, query, writer(resource, manager, "binding", "Update"), true);
        });
        ObjectNode status = Json.object();
        status.put("kind", "Status").put("apiVersion", "v1").put("status", "Success").put("code", 201);
        status.putObject("metadata");
        return new Reply(201, status, List.of());
    }

    // ---------------------------------------------------------------- delete

    public Reply delete(ResourceDescriptor resource, String namespace, String name, JsonNode options, Query query) {
        ObjectNode given = options != null && options.isObject() ? (ObjectNode) options : Json.object();
        String precondition = Json.textOr(given, "", "preconditions", "resourceVersion");
        String uid = Json.textOr(given, "", "preconditions", "uid");
        String propagation = given.path("propagationPolicy").asString(query.get("propagationPolicy"));
        boolean orphan = given.path("orphanDependents").asBoolean(false) || query.flag("orphanDependents");
        if (orphan && propagation.isEmpty()) {
            propagation = "Orphan";
        }
        long grace = given.has("gracePeriodSeconds") ? given.get("gracePeriodSeconds").asLong() : query.number("gracePeriodSeconds", -1);
        boolean dryRun = query.dryRun() || given.path("dryRun").valueStream().anyMatch(value -> value.asString().equals("All"));
        String policy = propagation;
        return readModifyWrite(resource, namespace, name, precondition, base -> {
            StoredObject current = base.stored();
            checkPrecondition(resource, name, precondition, current);
            ObjectNode old = parse(current);
            if (!uid.isEmpty() && !uid.equals(Json.textOr(old, "", "metadata", "uid"))) {
                throw ApiError.conflict(resource.group(), resource.plural(), name, "Precondition failed: UID in precondition: "
                        + uid + ", UID in object meta: " + Json.textOr(old, "", "metadata", "uid"));
            }
            ObjectNode next = old.deepCopy();
            ObjectNode metadata = Json.metadata(next);
            if (resource.kind().equals("Namespace")) {
                return markNamespaceTerminating(resource, base, old, next, dryRun);
            }
            ArrayNode finalizers = metadata.get("finalizers") instanceof ArrayNode list ? list : metadata.putArray("finalizers");
            if (policy.equals("Orphan") && !contains(finalizers, "orphan")) {
                finalizers.add("orphan");
            } else if (policy.equals("Foreground") && !contains(finalizers, "foregroundDeletion")) {
                finalizers.add("foregroundDeletion");
            }
            long podGrace = podGracePeriod(resource, old, grace);
            if (finalizers.isEmpty() && podGrace == 0) {
                metadata.remove("finalizers");
                if (dryRun) {
                    return Reply.ok(present(base.unchanged()));
                }
                StoredObject deleted = store.delete(current.key(), OptionalLong.of(current.modRevision()));
                releaseServiceAddresses(resource, old);
                ObjectNode gone = parse(deleted);
                Json.metadata(gone).put("resourceVersion", Long.toString(deleted.modRevision()));
                return Reply.ok(gone);
            }
            if (finalizers.isEmpty()) {
                metadata.remove("finalizers");
            }
            if (!metadata.has("deletionTimestamp")) {
                metadata.put("deletionTimestamp", Timestamps.secondsFromNow(podGrace));
                metadata.put("deletionGracePeriodSeconds", podGrace);
            } else if (podGrace < metadata.path("deletionGracePeriodSeconds").asLong(0)) {
                // A shorter grace period (the kubelet's grace 0) replaces a longer one, so removing the finalizers then removes the object.
                metadata.put("deletionTimestamp", Timestamps.secondsFromNow(podGrace));
                metadata.put("deletionGracePeriodSeconds", podGrace);
            } else if (next.equals(old)) {
                return Reply.ok(present(base.unchanged()));
            }
            if (dryRun) {
                return Reply.ok(next);
            }
            return Reply.ok(present(store.update(current.key(), current.modRevision(), Json.bytes(next))));
        });
    }

    /** How long a pod is given to stop before it is removed: 0 unless it runs on a node. */
    private static long podGracePeriod(ResourceDescriptor resource, ObjectNode pod, long requested) {
        if (!resource.kind().equals("Pod") || requested == 0) {
            return 0;
        }
        String phase = Json.textOr(pod, "", "status", "phase");
        if (Json.textOr(pod, "", "spec", "nodeName").isEmpty() || phase.equals("Succeeded") || phase.equals("Failed")) {
            return 0;
        }
        if (Json.at(pod, "metadata", "deletionGracePeriodSeconds") instanceof JsonNode already && requested < 0) {
            return Math.max(1, already.asLong());
        }
        long grace = requested >= 0 ? requested : Json.at(pod, "spec", "terminationGracePeriodSeconds") instanceof JsonNode spec ? spec.asLong() : 30;
        return Math.max(grace, 0);
    }

    private Reply markNamespaceTerminating(ResourceDescriptor resource, Base base, ObjectNode old, ObjectNode next,
                                           boolean dryRun) {
        StoredObject current = base.stored();
        ObjectNode metadata = Json.metadata(next);
        if (!metadata.has("deletionTimestamp")) {
            metadata.put("deletionTimestamp", Timestamps.now());
            metadata.put("deletionGracePeriodSeconds", 0);
        }
        Json.child(next, "status").put("phase", "Terminating");
        if (dryRun || next.equals(old)) {
            StoredObject unchanged = base.unchanged();
            return Reply.ok(dryRun ? next : present(unchanged));
        }
        StoredObject stored = store.update(current.key(), current.modRevision(), Json.bytes(next));
        namespaces.observe(stored);
        namespaceDeleted.run();
        return Reply.ok(present(stored));
    }

    public Reply deleteCollection(ResourceDescriptor resource, String namespace, JsonNode options, Query query) {
        JsonNode list = list(resource, namespace, query).body();
        for (JsonNode item : list.path("items")) {
            try {
                delete(resource, Json.textOr(item, "", "metadata", "namespace"), Json.textOr(item, "", "metadata", "name"), options, query);
            } catch (ApiError e) {
                if (e.code() != 404) {
                    throw e;
                }
            }
        }
        ObjectNode status = Json.object();
        status.put("kind", "Status").put("apiVersion", "v1").put("status", "Success");
        status.putObject("metadata");
        return Reply.ok(status);
    }

    // ---------------------------------------------------------------- services

    /** Allocates cluster IP and node ports a service needs and does not have yet; returns how to undo that. */
    private List<Runnable> allocateServiceAddresses(ResourceDescriptor resource, ObjectNode old, ObjectNode next, boolean dryRun) {
        List<Runnable> undo = new ArrayList<>();
        if (!resource.kind().equals("Service") || dryRun) {
            return undo;
        }
        ObjectNode spec = Json.child(next, "spec");
        String type = spec.path("type").asString("ClusterIP");
        String oldIp = old == null ? "" : Json.textOr(old, "", "spec", "clusterIP");
        String wanted = spec.path("clusterIP").asString("");
        if (type.equals("ExternalName")) {
            spec.remove(List.of("clusterIP", "clusterIPs"));
        } else if (!oldIp.isEmpty() && (wanted.isEmpty() || wanted.equals(oldIp))) {
            spec.put("clusterIP", oldIp);
            spec.putArray("clusterIPs").add(oldIp);
        } else if (old != null && !oldIp.isEmpty()) {
            throw ApiError.invalid("", "Service", Json.textOr(next, "", "metadata", "name"), List.of(new ApiError.Cause(
                    "FieldValueInvalid", "spec.clusterIP", "Invalid value: \"" + wanted + "\": field is immutable")));
        } else if (wanted.equals("None")) {
            spec.putArray("clusterIPs").add("None");
        } else {
            String ip = allocations.allocateIp(wanted.isEmpty() ? Optional.empty() : Optional.of(wanted));
            undo.add(() -> allocations.releaseIp(ip));
            spec.put("clusterIP", ip);
            spec.putArray("clusterIPs").add(ip);
        }
        if (!type.equals("ExternalName") && !spec.has("ipFamilies")) {
            spec.putArray("ipFamilies").add("IPv4");
            spec.put("ipFamilyPolicy", "SingleStack");
        }
        boolean nodePorts = type.equals("NodePort") || type.equals("LoadBalancer");
        List<Integer> oldPorts = nodePorts(old);
        if (spec.get("ports") instanceof ArrayNode ports) {
            for (int i = 0; i < ports.size(); i++) {
                if (!(ports.get(i) instanceof ObjectNode port)) {
                    continue;
                }
                int requested = port.path("nodePort").asInt(0);
                if (!nodePorts) {
                    port.remove("nodePort");
                } else if (requested != 0 && oldPorts.contains(requested)) {
                    continue;
                } else if (requested == 0 && old != null && samePortNodePort(old, port) > 0) {
                    port.put("nodePort", samePortNodePort(old, port));
                } else {
                    int allocated = allocations.allocatePort(requested == 0 ? Optional.empty() : Optional.of(requested),
                            "spec.ports[" + i + "].nodePort");
                    undo.add(() -> allocations.releasePort(allocated));
                    port.put("nodePort", allocated);
                }
            }
        }
        return undo;
    }

    private static int samePortNodePort(ObjectNode old, ObjectNode port) {
        for (JsonNode candidate : Json.at(old, "spec", "ports") instanceof ArrayNode list ? list : Json.array()) {
            if (candidate.path("port").equals(port.path("port")) && candidate.path("nodePort").asInt(0) > 0) {
                return candidate.path("nodePort").asInt();
            }
        }
        return 0;
    }

    private static List<Integer> nodePorts(ObjectNode service) {
        List<Integer> ports = new ArrayList<>();
        if (service != null && Json.at(service, "spec", "ports") instanceof ArrayNode list) {
            list.forEach(port -> {
                if (port.path("nodePort").asInt(0) > 0) {
                    ports.add(port.path("nodePort").asInt());
                }
            });
        }
        return ports;
    }

    private void releaseServiceAddresses(ResourceDescriptor resource, ObjectNode service) {
        if (!resource.kind().equals("Service")) {
            return;
        }
        String ip = Json.textOr(service, "", "spec", "clusterIP");
        if (!ip.isEmpty() && !ip.equals("None")) {
            allocations.releaseIp(ip);
        }
        nodePorts(service).forEach(allocations::releasePort);
    }

    private void releaseReplacedServiceAddresses(ResourceDescriptor resource, ObjectNode old, ObjectNode next) {
        if (resource.kind().equals("Service")) {
            List<Integer> kept = nodePorts(next);
            nodePorts(old).stream().filter(port -> !kept.contains(port)).forEach(allocations::releasePort);
        }
    }

    // ---------------------------------------------------------------- helpers

    /**
     * The object a read-modify-write starts from: read from etcd, or the newest state this server has
     * seen, which may be stale. A write at its revision checks it either way; an answer given without
     * writing takes it through {@link #unchanged()}, which refuses a guess.
     */
    private record Base(StoredObject stored, boolean confirmed) {

        static Base read(StoredObject stored) {
            return new Base(stored, true);
        }

        static Base guessed(StoredObject stored) {
            return new Base(stored, false);
        }

        /** The object, to answer with as it is: only when it was read from etcd, since a guess may be out of date. */
        StoredObject unchanged() {
            if (!confirmed) {
                throw new Unconfirmed();
            }
            return stored;
        }
    }

    /** An attempt on a guessed base reached an answer that needs the object's current state. */
    private static final class Unconfirmed extends RuntimeException {
        Unconfirmed() {
            super("the guessed state must be read from etcd", null, false, false);
        }
    }

    /**
     * Runs a read-modify-write of one object. The first attempt starts from the newest state this
     * server has seen of it (its own writes, its watches), without reading etcd, when that state is at
     * the precondition's resourceVersion: Kubernetes' API server starts from its watch cache the same
     * way, and most writers (kubelets, controllers, leases) send the version they last saw. Should the
     * guess be stale, the write's compare-and-swap refuses it; that attempt, and any other whose answer
     * might rest on a stale state (an error, nothing to change), is then decided on a fresh read.
     */
    private Reply readModifyWrite(ResourceDescriptor resource, String namespace, String name, String precondition,
                                  Function<Base, Reply> attempt) {
        Optional<StoredObject> guess = store.recent(key(resource, namespace, name))
                .filter(seen -> precondition.isEmpty() || precondition.equals(seen.resourceVersion()));
        if (guess.isPresent()) {
            try {
                return attempt.apply(Base.guessed(guess.get()));
            } catch (StorageException.Conflict | StorageException.NotFound | ApiError | Unconfirmed e) {
                // Decided on what may be out of date: decide again on the object as etcd has it.
            }
        }
        return retrying(precondition, () -> attempt.apply(Base.read(load(resource, namespace, name))));
    }

    /** Runs a read-modify-write until it does not race another writer; a stale precondition is a 409 at once. */
    private Reply retrying(String precondition, Supplier<Reply> attempt) {
        for (int i = 0; ; i++) {
            try {
                return attempt.get();
            } catch (StorageException.Conflict e) {
                if (!precondition.isEmpty() || i >= RETRIES) {
                    throw ApiError.conflict("", "", "", MODIFIED);
                }
            }
        }
    }

    private void checkPrecondition(ResourceDescriptor resource, String name, String precondition, StoredObject current) {
        if (!precondition.isEmpty() && !precondition.equals(current.resourceVersion())) {
            throw ApiError.conflict(resource.group(), resource.plural(), name, MODIFIED);
        }
    }

    /** Checks apiVersion, kind and unknown fields; returns the warnings of fieldValidation=Warn. */
    List<String> checkBody(ResourceDescriptor resource, ObjectNode object, Query query, boolean update) {
        String apiVersion = object.path("apiVersion").asString("");
        String kind = object.path("kind").asString("");
        if (!apiVersion.isEmpty() && !apiVersion.equals(resource.apiVersion())) {
            throw ApiError.badRequest("the API version in the data (" + apiVersion + ") does not match the expected API version ("
                    + resource.apiVersion() + ")");
        }
        if (!kind.isEmpty() && !kind.equals(resource.kind())) {
            throw ApiError.badRequest("the kind in the data (" + kind + ") does not match the expected kind (" + resource.kind() + ")");
        }
        object.put("apiVersion", resource.apiVersion());
        object.put("kind", resource.kind());
        if (object.has("metadata") && !object.get("metadata").isObject()) {
            throw ApiError.badRequest("metadata must be an object");
        }
        String validation = query.fieldValidation();
        if (validation.equals("Ignore")) {
            return List.of();
        }
        List<String> unknown = KnownFields.unknown(object, resource.modelClass());
        if (unknown.isEmpty()) {
            return List.of();
        }
        List<String> messages = unknown.stream().map(field -> "unknown field \"" + field + "\"").toList();
        if (validation.equals("Strict")) {
            throw ApiError.badRequest("strict decoding error: " + String.join(", ", messages));
        }
        return messages;
    }

    private void placeInNamespace(ResourceDescriptor resource, String namespace, ObjectNode metadata) {
        if (!resource.namespaced()) {
            metadata.remove("namespace");
            return;
        }
        String given = metadata.path("namespace").asString("");
        if (!given.isEmpty() && !given.equals(namespace)) {
            throw ApiError.badRequest("the namespace of the provided object does not match the namespace sent on the request");
        }
        metadata.put("namespace", namespace);
    }

    StoredObject load(ResourceDescriptor resource, String namespace, String name) {
        return store.get(key(resource, namespace, name)).orElseThrow(() -> ApiError.notFound(resource.group(), resource.plural(), name));
    }

    static ObjectKey key(ResourceDescriptor resource, String namespace, String name) {
        try {
            return new ObjectKey(resource.plural(), resource.namespaced() ? namespace : "", name);
        } catch (IllegalArgumentException e) {
            throw ApiError.notFound(resource.group(), resource.plural(), name);
        }
    }

    static Optional<String> scope(ResourceDescriptor resource, String namespace) {
        return resource.namespaced() && !namespace.isEmpty() ? Optional.of(namespace) : Optional.empty();
    }

    /** An object as served: its stored JSON with {@code metadata.resourceVersion} set. */
    public static ObjectNode present(StoredObject stored) {
        ObjectNode object = parse(stored);
        Json.metadata(object).put("resourceVersion", stored.resourceVersion());
        return object;
    }

    static ObjectNode parse(StoredObject stored) {
        return (ObjectNode) Json.parse(stored.json());
    }

    static boolean matches(ObjectNode object, LabelSelector labels, FieldSelector fields) {
        if (!labels.isEverything()) {
            Map<String, String> map = new HashMap<>();
            JsonNode given = Json.at(object, "metadata", "labels");
            if (given != null && given.isObject()) {
                given.forEachEntry((key, value) -> map.put(key, value.asString("")));
            }
            if (!labels.matches(map)) {
                return false;
            }
        }
        return fields.matches(object);
    }

    /** Parses a JSON or YAML request body; malformed input is a 400. */
    public static JsonNode parseBody(byte[] body, boolean yaml) {
        try {
            JsonNode node = yaml ? Json.parseYaml(body) : Json.parse(body);
            if (node == null || node.isMissingNode()) {
                throw ApiError.badRequest("the request body is empty");
            }
            return node;
        } catch (JacksonException e) {
            throw ApiError.badRequest("the request body is not valid " + (yaml ? "YAML" : "JSON") + ": " + e.getOriginalMessage());
        }
    }

    private static ObjectNode requireObject(JsonNode node) {
        if (!(node instanceof ObjectNode object)) {
            throw ApiError.badRequest("the request body must be a JSON object");
        }
        return object;
    }

    private ManagedFields.Writer writer(ResourceDescriptor resource, String manager, String subresource, String operation) {
        String sub = subresource.equals("status") ? "status" : subresource.equals("scale") ? "scale" : "";
        return new ManagedFields.Writer(manager.isEmpty() ? "unknown" : manager, resource.apiVersion(), resource.kind(), sub,
                resource.hasStatus());
    }

    /** Whether the two differ only in metadata and status (what moves the generation), compared in place rather than on copies. */
    private static boolean sameOutsideMetadataAndStatus(ObjectNode a, ObjectNode b) {
        int compared = 0;
        for (var entry : a.properties()) {
            String field = entry.getKey();
            if (field.equals("metadata") || field.equals("status")) {
                continue;
            }
            if (!entry.getValue().equals(b.get(field))) {
                return false;
            }
            compared++;
        }
        return compared == b.size() - (b.has("metadata") ? 1 : 0) - (b.has("status") ? 1 : 0);
    }

    private static boolean contains(ArrayNode list, String value) {
        return list.valueStream().anyMatch(item -> item.asString("").equals(value));
    }

    private static String qosClass(ObjectNode pod) {
        boolean any = false;
        boolean guaranteed = true;
        for (JsonNode container : Json.at(pod, "spec", "containers") instanceof ArrayNode list ? list : Json.array()) {
            JsonNode requests = container.path("resources").path("requests");
            JsonNode limits = container.path("resources").path("limits");
            any |= !requests.isEmpty() || !limits.isEmpty();
            for (String resource : List.of("cpu", "memory")) {
                JsonNode limit = limits.get(resource);
                JsonNode request = requests.has(resource) ? requests.get(resource) : limit;
                guaranteed &= limit != null && limit.equals(request);
            }
        }
        return !any ? "BestEffort" : guaranteed ? "Guaranteed" : "Burstable";
    }

    /**
     * As Kubernetes: the base keeps at most 58 characters, so that with the 5-character suffix a
     * generated name still fits a 63-character DNS label.
     */
    private static String generatedNameBase(String generateName) {
        return generateName.length() > MAX_GENERATED_NAME_BASE ? generateName.substring(0, MAX_GENERATED_NAME_BASE) : generateName;
    }

    private static String randomSuffix() {
        StringBuilder suffix = new StringBuilder();
        for (int i = 0; i < GENERATED_SUFFIX_LENGTH; i++) {
            // As Kubernetes: a generated name need not be unguessable; the create's compare-and-swap catches a clash.
            suffix.append(NAME_CHARACTERS.charAt(ThreadLocalRandom.current().nextInt(NAME_CHARACTERS.length())));
        }
        return suffix.toString();
    }
}
