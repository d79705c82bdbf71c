package dev.slipway.controlplane.scheduler;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The scheduler's view of the cluster: every node with the pods on it. Informer events keep it
 * current; {@link #assume} places a pod on its node as soon as it is chosen, before the binding
 * reaches the informer, so the next decision already counts it (kube-scheduler's "assume").
 * A pod is known by uid, so the informer's copy of a bound pod simply replaces the assumed one.
 */
public final class SchedulerCache {

    private final Map<String, NodeInfo> nodes = new HashMap<>();
    /** Pods that belong on a node the cache does not know yet (the pod's event came first). */
    private final Map<String, Map<String, PodDemand>> waitingForNode = new HashMap<>();
    /** uid → node of every pod the cache counts. */
    private final Map<String, String> podNodes = new HashMap<>();
    /** uids assumed by this scheduler and not yet confirmed by the informer. */
    private final Map<String, String> assumed = new HashMap<>();
    private List<NodeInfo> snapshot;

    public synchronized void putNode(Node node) {
        String name = node.getMetadata().getName();
        NodeInfo known = nodes.get(name);
        if (known != null) {
            nodes.put(name, known.withNode(node));
        } else {
            Map<String, PodDemand> early = waitingForNode.remove(name);
            nodes.put(name, NodeInfo.of(node, early == null ? List.of() : List.copyOf(early.values())));
        }
        snapshot = null;
    }

    public synchronized void removeNode(String name) {
        NodeInfo gone = nodes.remove(name);
        if (gone != null) {
            // Pods bound to a deleted node keep counting against it, should the node come back.
            waitingForNode.put(name, new HashMap<>(gone.pods()));
        }
        snapshot = null;
    }

    /** Counts a pod the informer reports: bound and not finished counts, anything else does not. */
    public synchronized void putPod(Pod pod) {
        String uid = pod.getMetadata().getUid();
        String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        String phase = pod.getStatus() == null ? "" : String.valueOf(pod.getStatus().getPhase());
        if (node == null || node.isEmpty() || phase.equals("Succeeded") || phase.equals("Failed")) {
            if (!assumed.containsKey(uid)) {
                removePod(uid);
            }
            return;
        }
        assumed.remove(uid);
        place(PodDemand.of(pod), node);
    }

    public synchronized void removePod(String uid) {
        assumed.remove(uid);
        String node = podNodes.remove(uid);
        if (node == null) {
            return;
        }
        NodeInfo info = nodes.get(node);
        if (info != null) {
            nodes.put(node, info.withoutPod(uid));
        } else if (waitingForNode.containsKey(node)) {
            waitingForNode.get(node).remove(uid);
        }
        snapshot = null;
    }

    /** Counts {@code pod} on {@code node} until the informer confirms the binding or {@link #forget} undoes it. */
    public synchronized void assume(PodDemand pod, String node) {
        assumed.put(pod.uid(), node);
        place(pod, node);
    }

    /** Undoes an assumption whose binding failed. */
    public synchronized void forget(String uid) {
        if (assumed.containsKey(uid)) {
            removePod(uid);
        }
    }

    /** Whether the pod is already placed (assumed or seen bound), so it must not be scheduled again. */
    public synchronized boolean isPlaced(String uid) {
        return podNodes.containsKey(uid);
    }

    public synchronized Optional<NodeInfo> node(String name) {
        return Optional.ofNullable(nodes.get(name));
    }

    /** The nodes as they are now; an immutable list, rebuilt only after a change. */
    public synchronized List<NodeInfo> snapshot() {
        if (snapshot == null) {
            snapshot = List.copyOf(nodes.values());
        }
        return snapshot;
    }

    private void place(PodDemand pod, String node) {
        String previous = podNodes.put(pod.uid(), node);
        if (previous != null && !previous.equals(node)) {
            NodeInfo old = nodes.get(previous);
            if (old != null) {
                nodes.put(previous, old.withoutPod(pod.uid()));
            }
        }
        NodeInfo info = nodes.get(node);
        if (info != null) {
            nodes.put(node, info.withPod(pod));
        } else {
            waitingForNode.computeIfAbsent(node, name -> new HashMap<>()).put(pod.uid(), pod);
        }
        snapshot = null;
    }
}
