package dev.slipway.controlplane.controller;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads objects of one kind from a cache. Objects handed out are shared with the cache: copy
 * before changing them.
 */
public interface Lister<T extends HasMetadata> {

    Optional<T> get(ObjectRef ref);

    /** The objects in one namespace; every object when {@code namespace} is empty. */
    List<T> list(String namespace);

    /** Reads through an informer's cache. */
    static <T extends HasMetadata> Lister<T> of(SharedIndexInformer<T> informer) {
        return new Lister<>() {
            @Override
            public Optional<T> get(ObjectRef ref) {
                return Optional.ofNullable(informer.getStore().getByKey(ref.toString()));
            }

            @Override
            public List<T> list(String namespace) {
                List<T> all = informer.getStore().list();
                return namespace.isEmpty() ? all
                        : all.stream().filter(item -> Objects.equals(namespace, item.getMetadata().getNamespace())).toList();
            }
        };
    }
}
