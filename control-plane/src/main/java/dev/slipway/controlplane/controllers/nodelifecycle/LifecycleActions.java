package dev.slipway.controlplane.controllers.nodelifecycle;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;

/**
 * The changes the node lifecycle controller makes. Implemented once with the fabric8 client
 * ({@link Fabric8LifecycleActions}); unit tests use a recording fake.
 */
interface LifecycleActions {

    /** Sets the node's {@code Ready} condition to {@code Unknown} with reason {@code NodeStatusUnknown}. */
    void markReadyUnknown(Node node, Instant now);

    /** Adds the {@code node.kubernetes.io/unreachable:NoExecute} taint, stamped with {@code now}. */
    void addUnreachableTaint(Node node, Instant now);

    void removeUnreachableTaint(Node node);

    /** Deletes the pod (gracefully), only if it is still the same object (uid precondition). */
    void evict(Pod pod, String node);
}
