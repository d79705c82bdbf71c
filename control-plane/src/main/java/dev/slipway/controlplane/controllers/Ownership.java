package dev.slipway.controlplane.controllers;

import dev.slipway.controlplane.controller.Controller;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;

/** Controller owner references: how a workload marks the objects it made as its own. */
final class Ownership {

    private Ownership() {
    }

    static OwnerReference controllerReference(HasMetadata owner) {
        return new OwnerReferenceBuilder().withApiVersion(owner.getApiVersion()).withKind(owner.getKind())
                .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid())
                .withController(true).withBlockOwnerDeletion(true).build();
    }

    static boolean isControlledBy(HasMetadata object, HasMetadata owner) {
        return Controller.controllerReference(object).map(reference -> reference.getUid().equals(owner.getMetadata().getUid()))
                .orElse(false);
    }
}
