package dev.slipway.controlplane.controllers;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;

/** {@link ObjectWriter} through the API server with fabric8. */
final class Fabric8ObjectWriter implements ObjectWriter {

    private final KubernetesClient client;

    Fabric8ObjectWriter(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public <T extends HasMetadata> T create(T object) {
        return client.resource(object).create();
    }

    @Override
    public <T extends HasMetadata> T update(T object) {
        return client.resource(object).update();
    }

    @Override
    public <T extends HasMetadata> T updateStatus(T object) {
        return client.resource(object).updateStatus();
    }

    @Override
    public void delete(HasMetadata object, Deletion deletion) {
        var resource = client.resource(object);
        switch (deletion) {
            case BACKGROUND -> resource.withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
            case FOREGROUND -> resource.withPropagationPolicy(DeletionPropagation.FOREGROUND).delete();
            case IMMEDIATE -> resource.withPropagationPolicy(DeletionPropagation.BACKGROUND).withGracePeriod(0).delete();
        }
    }
}
