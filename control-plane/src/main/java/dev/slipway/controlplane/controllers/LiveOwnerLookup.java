package dev.slipway.controlplane.controllers;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads owners and dependents straight from the API server: an owner exists when an object of that
 * name has the referenced uid; dependents are listed afresh (a quorum read), not from a cache.
 */
final class LiveOwnerLookup implements GarbageCollector.OwnerLookup {

    private final KubernetesClient client;

    LiveOwnerLookup(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public boolean exists(OwnerReference owner, String namespace) {
        GenericKubernetesResource found;
        try {
            var resources = client.genericKubernetesResources(owner.getApiVersion(), owner.getKind());
            found = namespace.isEmpty() ? resources.withName(owner.getName()).get()
                    : resources.inNamespace(namespace).withName(owner.getName()).get();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return false;
            }
            throw e;
        }
        return found != null && owner.getUid().equals(found.getMetadata().getUid());
    }

    @Override
    public Set<String> dependents(GarbageCollector.Kind kind, String namespace, String ownerUid) {
        var resources = client.genericKubernetesResources(kind.apiVersion(), kind.kind());
        var listed = namespace.isEmpty() ? resources.list() : resources.inNamespace(namespace).list();
        return listed.getItems().stream()
                .filter(item -> item.getMetadata().getOwnerReferences() != null && item.getMetadata().getOwnerReferences().stream()
                        .anyMatch(reference -> ownerUid.equals(reference.getUid())))
                .map(item -> item.getMetadata().getUid())
                .collect(Collectors.toSet());
    }
}
