package dev.slipway.controlplane.scheduler;

import io.fabric8.kubernetes.api.model.Node;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A node as the scheduler sees it: the Node object and the pods already on it (bound or assumed),
 * with their requests, host ports and owners summed up. Immutable: the cache replaces it on change.
 * What the filters read of the Node ({@code ready}, {@code cordoned}) is worked out once here, not
 * on each of the hundreds of nodes every decision filters.
 */
public record NodeInfo(Node node, boolean ready, boolean cordoned, Resources allocatable, Map<String, PodDemand> pods, Resources requested, Resources scoringRequested,
                       List<HostPort> usedPorts, Map<String, Integer> podsByOwner) {

    /** What a pod without requests counts as when scoring, so that best-effort pods still spread (Kubernetes' defaults). */
    static final Resources SCORING_DEFAULT = new Resources(100, 200L * 1024 * 1024, 0);

    public NodeInfo {
        pods = Map.copyOf(pods);
        usedPorts = List.copyOf(usedPorts);
        podsByOwner = Map.copyOf(podsByOwner);
    }

    public static NodeInfo of(Node node) {
        return of(node, List.of());
    }

    public static NodeInfo of(Node node, List<PodDemand> pods) {
        Map<String, PodDemand> byUid = new LinkedHashMap<>();
        pods.forEach(pod -> byUid.put(pod.uid(), pod));
        return build(node, byUid);
    }

    public String name() {
        return node.getMetadata().getName();
    }

    public Optional<PodDemand> pod(String uid) {
        return Optional.ofNullable(pods.get(uid));
    }

    /** This node with {@code pod} on it (replacing an earlier copy of the same pod). */
    public NodeInfo withPod(PodDemand pod) {
        Map<String, PodDemand> next = new LinkedHashMap<>(pods);
        next.put(pod.uid(), pod);
        return build(node, next);
    }

    public NodeInfo withoutPod(String uid) {
        if (!pods.containsKey(uid)) {
            return this;
        }
        Map<String, PodDemand> next = new LinkedHashMap<>(pods);
        next.remove(uid);
        return build(node, next);
    }

    public NodeInfo withNode(Node changed) {
        return build(changed, pods);
    }

    private static NodeInfo build(Node node, Map<String, PodDemand> pods) {
        Resources allocatable = Resources.NONE;
        if (node.getStatus() != null) {
            allocatable = Resources.of(node.getStatus().getAllocatable() != null ? node.getStatus().getAllocatable()
                    : node.getStatus().getCapacity());
        }
        Resources requested = Resources.NONE;
        Resources scoring = Resources.NONE;
        List<HostPort> ports = new ArrayList<>();
        Map<String, Integer> owners = new HashMap<>();
        for (PodDemand pod : pods.values()) {
            requested = requested.plus(pod.requests());
            scoring = scoring.plus(forScoring(pod.requests()));
            ports.addAll(pod.hostPorts());
            if (!pod.owner().isEmpty()) {
                owners.merge(pod.owner(), 1, Integer::sum);
            }
        }
        boolean cordoned = node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable());
        return new NodeInfo(node, NodeFilter.isReady(node), cordoned, allocatable, pods, requested, scoring, ports, owners);
    }

    static Resources forScoring(Resources requests) {
        return new Resources(requests.milliCpu() == 0 ? SCORING_DEFAULT.milliCpu() : requests.milliCpu(),
                requests.memoryBytes() == 0 ? SCORING_DEFAULT.memoryBytes() : requests.memoryBytes(), requests.pods());
    }
}
