package dev.slipway.controlplane.scheduler;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * The scheduling decision, a pure function of one pod and a snapshot of the nodes: filter, score,
 * pick the best (ties broken at random), or explain why no node fits.
 */
public final class Placement {

    /** What the scheduler does with a pod. */
    public sealed interface Decision {

        /** Bind the pod to this node. */
        record Bind(String node) implements Decision {
        }

        /** No node fits; {@code message} says why, per node, as Kubernetes words it. */
        record Unschedulable(String message) implements Decision {
        }
    }

    private Placement() {
    }

    public static Decision decide(PodDemand pod, List<NodeInfo> nodes, RandomGenerator random) {
        List<NodeInfo> feasible = new ArrayList<>();
        Map<String, Integer> reasons = new LinkedHashMap<>();
        for (NodeInfo node : nodes) {
            List<String> rejected = NodeFilter.rejections(pod, node);
            if (rejected.isEmpty()) {
                feasible.add(node);
            } else {
                rejected.forEach(reason -> reasons.merge(reason, 1, Integer::sum));
            }
        }
        if (feasible.isEmpty()) {
            return new Decision.Unschedulable(unschedulableMessage(nodes.size(), reasons));
        }
        return new Decision.Bind(best(pod, feasible, random).name());
    }

    private static NodeInfo best(PodDemand pod, List<NodeInfo> feasible, RandomGenerator random) {
        if (feasible.size() == 1) {
            return feasible.getFirst();
        }
        long[] total = new long[feasible.size()];
        for (NodeScore score : NodeScore.values()) {
            long[] scores = score.scores(pod, feasible);
            for (int i = 0; i < total.length; i++) {
                total[i] += scores[i];
            }
        }
        int chosen = 0;
        int ties = 1;
        for (int i = 1; i < total.length; i++) {
            if (total[i] > total[chosen]) {
                chosen = i;
                ties = 1;
            } else if (total[i] == total[chosen] && random.nextInt(++ties) == 0) {
                // Reservoir sampling: each of the equally best nodes ends up chosen with equal chance.
                chosen = i;
            }
        }
        return feasible.get(chosen);
    }

    /** {@code 0/5 nodes are available: 3 node(s) had untolerated taint {...}, 2 Insufficient cpu.}, most frequent reason first. */
    static String unschedulableMessage(int nodeCount, Map<String, Integer> reasons) {
        if (nodeCount == 0) {
            return "0/0 nodes are available: no nodes available to schedule pods.";
        }
        List<String> parts = reasons.entrySet().stream()
                .sorted(Comparator.<Map.Entry<String, Integer>>comparingInt(Map.Entry::getValue).reversed().thenComparing(Map.Entry::getKey))
                .map(entry -> entry.getValue() + " " + entry.getKey()).toList();
        return "0/" + nodeCount + " nodes are available: " + String.join(", ", parts) + ".";
    }
}
