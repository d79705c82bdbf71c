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

    /** One search: its decision, and how many nodes it filtered (the next search starts after them). */
    public record Search(Decision decision, int examined) {
    }

    /** Below this many nodes every node is filtered and scored (kube-scheduler's {@code minFeasibleNodesToFind}). */
    static final int MIN_FEASIBLE = 100;

    /** Filters and scores every node. */
    public static Decision decide(PodDemand pod, List<NodeInfo> nodes, RandomGenerator random) {
        return search(pod, nodes, 0, nodes.size(), random).decision();
    }

    /**
     * Filters nodes from index {@code start} on, wrapping around, until {@code enough} fit, and scores
     * only those: in a large cluster the best of a few hundred fitting nodes is as good a choice as the
     * best of all, at a fraction of the cost. When fewer fit, every node is filtered, so an
     * unschedulable pod's message still accounts for all of them.
     */
    public static Search search(PodDemand pod, List<NodeInfo> nodes, int start, int enough, RandomGenerator random) {
        List<NodeInfo> feasible = new ArrayList<>();
        Map<String, Integer> reasons = new LinkedHashMap<>();
        int examined = 0;
        while (examined < nodes.size() && feasible.size() < enough) {
            NodeInfo node = nodes.get((start + examined) % nodes.size());
            examined++;
            List<String> rejected = NodeFilter.rejections(pod, node);
            if (rejected.isEmpty()) {
                feasible.add(node);
            } else {
                rejected.forEach(reason -> reasons.merge(reason, 1, Integer::sum));
            }
        }
        if (feasible.isEmpty()) {
            return new Search(new Decision.Unschedulable(unschedulableMessage(nodes.size(), reasons)), examined);
        }
        return new Search(new Decision.Bind(best(pod, feasible, random).name()), examined);
    }

    /**
     * How many fitting nodes are enough to choose from among {@code nodes}: all of a cluster under 100 nodes,
     * else 50% less 1% per 125 nodes (at least 5%), and never fewer than 100 (kube-scheduler's adaptive
     * {@code percentageOfNodesToScore}); 420 of 1000 nodes.
     */
    public static int enoughFeasible(int nodes) {
        if (nodes < MIN_FEASIBLE) {
            return nodes;
        }
        int percent = Math.max(5, 50 - nodes / 125);
        return Math.max(MIN_FEASIBLE, nodes * percent / 100);
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
