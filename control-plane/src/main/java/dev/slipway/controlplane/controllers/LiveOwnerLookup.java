package dev.slipway.controlplane.controllers;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/** Reads an owner straight from the API server: it exists when an object of that name has the referenced uid. */
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
}
