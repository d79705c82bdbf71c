package dev.slipway.controlplane.controllers;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.Objects;

/**
 * How far a rolling update may go above and below the desired replicas: maxSurge rounds up,
 * maxUnavailable rounds down, and when both come to 0 one pod may be unavailable (Kubernetes'
 * ResolveFenceposts). A Recreate deployment has no surge and may lose every pod.
 */
record RollingBudget(int maxSurge, int maxUnavailable) {

    static RollingBudget of(Deployment deployment) {
        int replicas = Objects.requireNonNullElse(deployment.getSpec().getReplicas(), 1);
        var strategy = deployment.getSpec().getStrategy();
        if (strategy != null && "Recreate".equals(strategy.getType())) {
            return new RollingBudget(0, replicas);
        }
        var rolling = strategy == null ? null : strategy.getRollingUpdate();
        IntOrString surge = rolling == null || rolling.getMaxSurge() == null ? new IntOrString("25%") : rolling.getMaxSurge();
        IntOrString unavailable = rolling == null || rolling.getMaxUnavailable() == null ? new IntOrString("25%") : rolling.getMaxUnavailable();
        return resolve(surge, unavailable, replicas);
    }

    static RollingBudget resolve(IntOrString surge, IntOrString unavailable, int replicas) {
        int maxSurge = IntOrPercent.resolve(surge, replicas, true, "spec.strategy.rollingUpdate.maxSurge");
        int maxUnavailable = IntOrPercent.resolve(unavailable, replicas, false, "spec.strategy.rollingUpdate.maxUnavailable");
        if (maxSurge == 0 && maxUnavailable == 0) {
            maxUnavailable = 1;
        }
        return new RollingBudget(maxSurge, Math.min(maxUnavailable, replicas));
    }
}
