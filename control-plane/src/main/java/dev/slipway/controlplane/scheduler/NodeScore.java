package dev.slipway.controlplane.scheduler;

import io.fabric8.kubernetes.api.model.Taint;
import java.util.List;

/**
 * How much a pod prefers each node that passed the filters. Each score turns a raw measure into
 * 0..100 over the candidates (higher is better); the pod goes to the node with the highest sum.
 */
public enum NodeScore {

    /** Most free CPU and memory left after placing the pod. */
    LEAST_ALLOCATED {
        @Override
        long[] scores(PodDemand pod, List<NodeInfo> nodes) {
            Resources wanted = NodeInfo.forScoring(pod.requests());
            long[] scores = new long[nodes.size()];
            for (int i = 0; i < scores.length; i++) {
                NodeInfo node = nodes.get(i);
                Resources after = node.scoringRequested().plus(wanted);
                scores[i] = (free(node.allocatable().milliCpu(), after.milliCpu()) + free(node.allocatable().memoryBytes(), after.memoryBytes())) / 2;
            }
            return scores;
        }

        private static long free(long allocatable, long requested) {
            return allocatable <= 0 || requested >= allocatable ? 0 : (allocatable - requested) * 100 / allocatable;
        }
    },
    /** Fewest pods of the same owner (ReplicaSet, StatefulSet, ...) already on the node. */
    OWNER_SPREAD {
        @Override
        long[] scores(PodDemand pod, List<NodeInfo> nodes) {
            long[] counts = new long[nodes.size()];
            if (!pod.owner().isEmpty()) {
                for (int i = 0; i < counts.length; i++) {
                    counts[i] = nodes.get(i).podsByOwner().getOrDefault(pod.owner(), 0);
                }
            }
            return fewestIsBest(counts);
        }
    },
    /** Fewest {@code PreferNoSchedule} taints the pod does not tolerate. */
    PREFER_NO_SCHEDULE {
        @Override
        long[] scores(PodDemand pod, List<NodeInfo> nodes) {
            long[] counts = new long[nodes.size()];
            for (int i = 0; i < counts.length; i++) {
                for (Taint taint : NodeFilter.taints(nodes.get(i).node())) {
                    if ("PreferNoSchedule".equals(taint.getEffect()) && !Tolerations.tolerated(pod.tolerations(), taint)) {
                        counts[i]++;
                    }
                }
            }
            return fewestIsBest(counts);
        }
    };

    static final long MAX = 100;

    /** One score in 0..100 per node, in the order of {@code nodes}. */
    abstract long[] scores(PodDemand pod, List<NodeInfo> nodes);

    /** 100 for the node with the fewest, 0 for the node with the most; all 100 when none has any. */
    private static long[] fewestIsBest(long[] counts) {
        long most = 0;
        for (long count : counts) {
            most = Math.max(most, count);
        }
        long[] scores = new long[counts.length];
        for (int i = 0; i < counts.length; i++) {
            scores[i] = most == 0 ? MAX : (most - counts[i]) * MAX / most;
        }
        return scores;
    }
}
