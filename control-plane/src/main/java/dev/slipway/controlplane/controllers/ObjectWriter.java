package dev.slipway.controlplane.controllers;

import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * Every change the controllers make to the cluster. Implemented once with the fabric8 client
 * ({@link Fabric8ObjectWriter}); unit tests use a recording in-memory fake. Updates carry the
 * object's {@code resourceVersion}, so a stale read fails with a conflict and is retried.
 */
public interface ObjectWriter {

    /** How a delete treats the object's dependents and grace period. */
    enum Deletion {
        /** Delete now; the garbage collector removes dependents afterwards. */
        BACKGROUND,
        /** Dependents first: the object stays, with the {@code foregroundDeletion} finalizer, until they are gone. */
        FOREGROUND,
        /** No grace period: for pods bound to a node that no longer exists, so no kubelet will finish the job. */
        IMMEDIATE
    }

    /** Creates the object; a {@code generateName} is filled in by the API server, so use the returned object. */
    <T extends HasMetadata> T create(T object);

    /** Replaces metadata and spec (not status). */
    <T extends HasMetadata> T update(T object);

    /** Replaces the status through the {@code status} subresource. */
    <T extends HasMetadata> T updateStatus(T object);

    /** Deletes the object; an object already gone is not an error. */
    void delete(HasMetadata object, Deletion deletion);
}
