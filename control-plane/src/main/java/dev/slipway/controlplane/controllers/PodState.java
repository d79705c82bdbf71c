package dev.slipway.controlplane.controllers;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.time.Instant;
import java.util.Optional;

/** What the controllers read from a pod's status. */
final class PodState {

    private PodState() {
    }

    /** Counts towards a workload's replicas: not finished and not being deleted. */
    static boolean isActive(Pod pod) {
        String phase = phase(pod);
        return !phase.equals("Succeeded") && !phase.equals("Failed") && !isTerminating(pod);
    }

    static boolean isTerminating(Pod pod) {
        return pod.getMetadata().getDeletionTimestamp() != null;
    }

    static String phase(Pod pod) {
        return pod.getStatus() == null || pod.getStatus().getPhase() == null ? "Pending" : pod.getStatus().getPhase();
    }

    static boolean isReady(Pod pod) {
        return readyCondition(pod).map(condition -> "True".equals(condition.getStatus())).orElse(false);
    }

    static boolean isRunningAndReady(Pod pod) {
        return phase(pod).equals("Running") && isReady(pod);
    }

    /** Ready for at least {@code minReadySeconds}. */
    static boolean isAvailable(Pod pod, int minReadySeconds, Instant now) {
        if (!isReady(pod)) {
            return false;
        }
        if (minReadySeconds <= 0) {
            return true;
        }
        return readySince(pod).map(since -> !since.plusSeconds(minReadySeconds).isAfter(now)).orElse(false);
    }

    static Optional<Instant> readySince(Pod pod) {
        return readyCondition(pod).map(PodCondition::getLastTransitionTime).filter(time -> !time.isEmpty()).map(Instant::parse);
    }

    static int restarts(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
            return 0;
        }
        return pod.getStatus().getContainerStatuses().stream().mapToInt(status -> status.getRestartCount() == null ? 0 : status.getRestartCount()).sum();
    }

    private static Optional<PodCondition> readyCondition(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        return pod.getStatus().getConditions().stream().filter(condition -> "Ready".equals(condition.getType())).findFirst();
    }
}
