package dev.slipway.controlplane.controllers;

import io.fabric8.kubernetes.api.model.HasMetadata;

/** Records what a controller did as a core/v1 Event on the object, for {@code kubectl describe}. */
public interface EventRecorder {

    void normal(HasMetadata involved, String reason, String message);

    void warning(HasMetadata involved, String reason, String message);
}
