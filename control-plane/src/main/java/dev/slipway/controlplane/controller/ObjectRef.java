package dev.slipway.controlplane.controller;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Objects;

/**
 * The key a controller works on: an object's namespace and name ({@code ""} namespace when the
 * object is cluster-scoped). Printed as {@code namespace/name}, or {@code name} alone, which is also
 * the key fabric8's informer caches use.
 */
public record ObjectRef(String namespace, String name) {

    public ObjectRef {
        Objects.requireNonNull(namespace, "namespace");
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("an object reference needs a name");
        }
    }

    public static ObjectRef of(HasMetadata object) {
        String namespace = object.getMetadata().getNamespace();
        return new ObjectRef(namespace == null ? "" : namespace, object.getMetadata().getName());
    }

    /** Reads {@code namespace/name} or {@code name}. */
    public static ObjectRef parse(String key) {
        int slash = key.indexOf('/');
        return slash < 0 ? new ObjectRef("", key) : new ObjectRef(key.substring(0, slash), key.substring(slash + 1));
    }

    @Override
    public String toString() {
        return namespace.isEmpty() ? name : namespace + "/" + name;
    }
}
