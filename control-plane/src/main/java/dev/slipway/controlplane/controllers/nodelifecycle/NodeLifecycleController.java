package dev.slipway.controlplane.controllers.nodelifecycle;

import dev.slipway.controlplane.controller.Controller;
import dev.slipway.controlplane.controller.Lister;
import dev.slipway.controlplane.controller.ObjectRef;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * The node lifecycle controller, for the controller manager to run beside the others: keyed by
 * node name, fed by the node, node-lease and pod informers the manager owns and starts.
 *
 * <p>Evicted pods are deleted gracefully: on an unreachable node nobody confirms the end, so the
 * pod object stays (Terminating) until its kubelet returns or an operator force-deletes it. A
 * ReplicaSet does not count a terminating pod and replaces it at once; a StatefulSet's replacement
 * has the same name, which the API server refuses while the old object exists, so one ordinal
 * never runs twice.
 */
public final class NodeLifecycleController {

    /** How long a silent node stays Ready (grace period) and how long its pods stay after it is tainted (eviction timeout). */
    public record Settings(Duration gracePeriod, Duration evictionTimeout) {
        public Settings {
            if (gracePeriod.isNegative() || gracePeriod.isZero() || evictionTimeout.isNegative()) {
                throw new IllegalArgumentException("node lifecycle needs a positive grace period and a non-negative eviction timeout, got "
                        + gracePeriod + " and " + evictionTimeout);
            }
        }

        /** Kubernetes' defaults: 40 s grace period, 5 min eviction timeout. */
        public static Settings standard() {
            return new Settings(Duration.ofSeconds(40), Duration.ofMinutes(5));
        }
    }

    private NodeLifecycleController() {
    }

    /** The informer the manager adds for node leases: {@code kube-node-lease} only. */
    public static SharedIndexInformer<Lease> leaseInformer(KubernetesClient client) {
        return client.resources(Lease.class).inNamespace(NodeLifecycleReconciler.LEASE_NAMESPACE).runnableInformer(0);
    }

    /** A controller with its event handlers registered; the caller starts the informers, then the controller. */
    public static Controller create(KubernetesClient client, SharedIndexInformer<Node> nodes, SharedIndexInformer<Lease> leases,
                                    SharedIndexInformer<Pod> pods, Settings settings, Clock clock) {
        NodeLifecycleReconciler reconciler = new NodeLifecycleReconciler(Lister.of(nodes), Lister.of(leases), Lister.of(pods),
                new Fabric8LifecycleActions(client, clock), settings, clock);
        return new Controller("node-lifecycle", reconciler, 2)
                .watch(nodes, Controller::self)
                .watch(leases, lease -> List.of(new ObjectRef("", lease.getMetadata().getName())))
                .watch(pods, pod -> pod.getSpec() == null || pod.getSpec().getNodeName() == null || pod.getSpec().getNodeName().isEmpty()
                        ? List.of() : List.of(new ObjectRef("", pod.getSpec().getNodeName())));
    }
}
