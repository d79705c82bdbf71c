package dev.slipway.controlplane.controllers;

import dev.slipway.controlplane.controller.Lister;
import dev.slipway.controlplane.controller.ObjectRef;
import dev.slipway.controlplane.controller.Reconciler;
import dev.slipway.controlplane.controller.Result;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Deletes objects whose owners (by uid) are all gone, and carries out the two deletions that wait
 * on dependents: {@code foregroundDeletion} (delete the dependents, then drop the finalizer so the
 * API server removes the owner) and {@code orphan} (remove the owner's references from its
 * dependents, then drop the finalizer). One reconciler per monitored kind; dependents are found in
 * the informer caches, owners are confirmed absent by a live read so that a lagging cache never
 * deletes anything, and an orphaning waits until the caches hold every dependent the API server
 * has: a dependent created just before its owner's deletion and not yet cached would otherwise
 * keep its reference, and be deleted once the owner is gone.
 */
final class GarbageCollector {

    static final String FOREGROUND = "foregroundDeletion";
    static final String ORPHAN = "orphan";

    /** A kind the collector watches: its apiVersion and kind, as owner references name it, and its cache. */
    record Kind(String apiVersion, String kind, Lister<? extends HasMetadata> lister) {
    }

    /** Asks the API server (not a cache). */
    interface OwnerLookup {
        /** Whether an owner still exists with the uid a reference names. */
        boolean exists(OwnerReference owner, String namespace);

        /** The uids of the objects of {@code kind} in {@code namespace} that name {@code ownerUid} as an owner. */
        Set<String> dependents(Kind kind, String namespace, String ownerUid);
    }

    /** How soon an orphaning whose dependents are not all cached yet looks again. */
    static final Duration CACHE_CATCH_UP = Duration.ofMillis(500);

    private final List<Kind> kinds;
    private final OwnerLookup owners;
    private final ObjectWriter writer;

    GarbageCollector(List<Kind> kinds, OwnerLookup owners, ObjectWriter writer) {
        this.kinds = List.copyOf(kinds);
        this.owners = owners;
        this.writer = writer;
    }

    List<Kind> kinds() {
        return kinds;
    }

    Reconciler reconcilerFor(Kind kind) {
        return key -> reconcile(kind, key);
    }

    /** Objects of every monitored kind that name {@code owner} (by uid) as an owner. */
    List<HasMetadata> dependentsOf(HasMetadata owner) {
        String uid = owner.getMetadata().getUid();
        String namespace = Objects.requireNonNullElse(owner.getMetadata().getNamespace(), "");
        List<HasMetadata> dependents = new ArrayList<>();
        for (Kind kind : kinds) {
            for (HasMetadata object : kind.lister().list(namespace)) {
                if (references(object, uid)) {
                    dependents.add(object);
                }
            }
        }
        return dependents;
    }

    /** Keys, per kind, of the monitored objects an object names as owners. */
    List<ObjectRef> ownersOfKind(HasMetadata object, Kind kind) {
        List<OwnerReference> references = Objects.requireNonNullElse(object.getMetadata().getOwnerReferences(), List.of());
        String namespace = Objects.requireNonNullElse(object.getMetadata().getNamespace(), "");
        return references.stream().filter(reference -> reference.getKind().equals(kind.kind()))
                .map(reference -> new ObjectRef(namespace, reference.getName())).toList();
    }

    private static boolean references(HasMetadata object, String uid) {
        List<OwnerReference> references = object.getMetadata().getOwnerReferences();
        return references != null && references.stream().anyMatch(reference -> uid.equals(reference.getUid()));
    }

    private Result reconcile(Kind kind, ObjectRef key) {
        Optional<? extends HasMetadata> found = kind.lister().get(key);
        if (found.isEmpty()) {
            return Result.DONE;
        }
        HasMetadata object = found.get();
        if (object.getMetadata().getDeletionTimestamp() != null) {
            List<String> finalizers = Objects.requireNonNullElse(object.getMetadata().getFinalizers(), List.of());
            if (finalizers.contains(ORPHAN)) {
                return orphanDependents(object);
            } else if (finalizers.contains(FOREGROUND)) {
                deleteDependentsFirst(object);
            }
            return Result.DONE;
        }
        List<OwnerReference> references = Objects.requireNonNullElse(object.getMetadata().getOwnerReferences(), List.of());
        if (references.isEmpty()) {
            return Result.DONE;
        }
        List<OwnerReference> dangling = references.stream().filter(reference -> !ownerExists(reference, key.namespace())).toList();
        if (dangling.size() == references.size()) {
            writer.delete(object, ObjectWriter.Deletion.BACKGROUND);
        } else if (!dangling.isEmpty()) {
            HasMetadata copy = TemplateHash.SERIALIZATION.clone(object);
            copy.getMetadata().setOwnerReferences(references.stream().filter(reference -> !dangling.contains(reference)).toList());
            writer.update(copy);
        }
        return Result.DONE;
    }

    private boolean ownerExists(OwnerReference reference, String namespace) {
        for (Kind kind : kinds) {
            if (kind.kind().equals(reference.getKind())) {
                Optional<? extends HasMetadata> cached = kind.lister().get(new ObjectRef(namespace, reference.getName()));
                if (cached.isPresent() && reference.getUid().equals(cached.get().getMetadata().getUid())) {
                    return true;
                }
            }
        }
        return owners.exists(reference, namespace);
    }

    private Result orphanDependents(HasMetadata owner) {
        String uid = owner.getMetadata().getUid();
        String namespace = Objects.requireNonNullElse(owner.getMetadata().getNamespace(), "");
        List<HasMetadata> cached = dependentsOf(owner);
        Set<String> cachedUids = cached.stream().map(dependent -> dependent.getMetadata().getUid()).collect(Collectors.toSet());
        boolean allCached = kinds.stream().allMatch(kind -> cachedUids.containsAll(owners.dependents(kind, namespace, uid)));
        if (!allCached) {
            return Result.requeueAfter(CACHE_CATCH_UP);
        }
        for (HasMetadata dependent : cached) {
            HasMetadata copy = TemplateHash.SERIALIZATION.clone(dependent);
            copy.getMetadata().setOwnerReferences(copy.getMetadata().getOwnerReferences().stream()
                    .filter(reference -> !uid.equals(reference.getUid())).toList());
            writer.update(copy);
        }
        removeFinalizer(owner, ORPHAN);
        return Result.DONE;
    }

    private void deleteDependentsFirst(HasMetadata owner) {
        List<HasMetadata> dependents = dependentsOf(owner);
        if (dependents.isEmpty()) {
            removeFinalizer(owner, FOREGROUND);
            return;
        }
        for (HasMetadata dependent : dependents) {
            if (dependent.getMetadata().getDeletionTimestamp() == null) {
                writer.delete(dependent, ObjectWriter.Deletion.FOREGROUND);
            }
        }
        // The dependents' deletions enqueue the owner again; the finalizer goes when none are left.
    }

    private void removeFinalizer(HasMetadata owner, String finalizer) {
        HasMetadata copy = TemplateHash.SERIALIZATION.clone(owner);
        copy.getMetadata().setFinalizers(copy.getMetadata().getFinalizers().stream().filter(name -> !name.equals(finalizer)).toList());
        writer.update(copy);
    }
}
