package dev.slipway.controlplane.scheduler;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * The checks a node must pass to run a pod, in the order they run. Each answers the reasons it
 * rejects the node, worded as Kubernetes words them in "0/5 nodes are available: ..." messages;
 * no reason means the node passes.
 */
public enum NodeFilter {

    READY {
        @Override
        List<String> reject(PodDemand pod, NodeInfo node) {
            return node.ready() ? List.of() : List.of("node(s) were not ready");
        }
    },
    SCHEDULABLE {
        @Override
        List<String> reject(PodDemand pod, NodeInfo node) {
            return node.cordoned() && !Tolerations.tolerated(pod.tolerations(), UNSCHEDULABLE_TAINT) ? List.of("node(s) were unschedulable") : List.of();
        }
    },
    TAINTS {
        @Override
        List<String> reject(PodDemand pod, NodeInfo node) {
            for (Taint taint : taints(node.node())) {
                boolean blocking = "NoSchedule".equals(taint.getEffect()) || "NoExecute".equals(taint.getEffect());
                if (blocking && !Tolerations.tolerated(pod.tolerations(), taint)) {
                    return List.of("node(s) had untolerated taint " + Tolerations.describe(taint));
                }
            }
            return List.of();
        }
    },
    NODE_AFFINITY {
        @Override
        List<String> reject(PodDemand pod, NodeInfo node) {
            return NodeSelection.matches(pod, node.node()) ? List.of() : List.of("node(s) didn't match Pod's node affinity/selector");
        }
    },
    HOST_PORTS {
        @Override
        List<String> reject(PodDemand pod, NodeInfo node) {
            for (HostPort wanted : pod.hostPorts()) {
                for (HostPort used : node.usedPorts()) {
                    if (wanted.conflictsWith(used)) {
                        return List.of("node(s) didn't have free ports for the requested pod ports");
                    }
                }
            }
            return List.of();
        }
    },
    RESOURCES {
        @Override
        List<String> reject(PodDemand pod, NodeInfo node) {
            Resources free = node.allocatable().minus(node.requested());
            Resources wanted = pod.requests();
            boolean pods = wanted.pods() > free.pods();
            boolean cpu = wanted.milliCpu() > 0 && wanted.milliCpu() > free.milliCpu();
            boolean memory = wanted.memoryBytes() > 0 && wanted.memoryBytes() > free.memoryBytes();
            if (!pods && !cpu && !memory) {
                return List.of(); // the common answer, without a list per node
            }
            List<String> reasons = new ArrayList<>(3);
            if (pods) {
                reasons.add("Too many pods");
            }
            if (cpu) {
                reasons.add("Insufficient cpu");
            }
            if (memory) {
                reasons.add("Insufficient memory");
            }
            return reasons;
        }
    };

    static final Taint UNSCHEDULABLE_TAINT = new TaintBuilder().withKey("node.kubernetes.io/unschedulable").withEffect("NoSchedule").build();

    abstract List<String> reject(PodDemand pod, NodeInfo node);

    /** The reasons of the first filter that rejects the node; empty when the pod fits. */
    public static List<String> rejections(PodDemand pod, NodeInfo node) {
        for (NodeFilter filter : values()) {
            List<String> reasons = filter.reject(pod, node);
            if (!reasons.isEmpty()) {
                return reasons;
            }
        }
        return List.of();
    }

    static boolean isReady(Node node) {
        if (node.getStatus() == null || node.getStatus().getConditions() == null) {
            return false;
        }
        for (NodeCondition condition : node.getStatus().getConditions()) {
            if ("Ready".equals(condition.getType())) {
                return "True".equals(condition.getStatus());
            }
        }
        return false;
    }

    static List<Taint> taints(Node node) {
        return node.getSpec() == null || node.getSpec().getTaints() == null ? List.of() : node.getSpec().getTaints();
    }
}
