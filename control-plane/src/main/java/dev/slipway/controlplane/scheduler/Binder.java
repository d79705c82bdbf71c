package dev.slipway.controlplane.scheduler;

import io.fabric8.kubernetes.api.model.Pod;

/**
 * Writes the scheduler's outcome for a pod: its binding, or why it has none. Implemented once with
 * the fabric8 client ({@link Fabric8Binder}); unit tests and the benchmark use recording fakes.
 */
public interface Binder {

    /** Binds the pod through {@code pods/binding}; throws when the API server refuses. */
    void bind(Pod pod, String node);

    /** Sets {@code PodScheduled=False} (reason {@code Unschedulable}) and records a {@code FailedScheduling} event. */
    void markUnschedulable(Pod pod, String message);
}
