package dev.slipway.controlplane.scheduler;

import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Kubernetes' matching of tolerations against taints; also used by the node lifecycle controller. */
public final class Tolerations {

    private Tolerations() {
    }

    /** The first toleration of {@code tolerations} that tolerates {@code taint}. */
    public static Optional<Toleration> find(List<Toleration> tolerations, Taint taint) {
        return tolerations.stream().filter(toleration -> tolerates(toleration, taint)).findFirst();
    }

    public static boolean tolerated(List<Toleration> tolerations, Taint taint) {
        return find(tolerations, taint).isPresent();
    }

    /**
     * An empty effect matches every effect; an empty key with {@code Exists} matches every taint;
     * {@code Exists} ignores the value; {@code Equal} (the default) needs key and value to match.
     */
    public static boolean tolerates(Toleration toleration, Taint taint) {
        String effect = blankToEmpty(toleration.getEffect());
        if (!effect.isEmpty() && !effect.equals(taint.getEffect())) {
            return false;
        }
        String key = blankToEmpty(toleration.getKey());
        String operator = toleration.getOperator() == null || toleration.getOperator().isEmpty() ? "Equal" : toleration.getOperator();
        if (key.isEmpty()) {
            return operator.equals("Exists");
        }
        if (!key.equals(taint.getKey())) {
            return false;
        }
        return switch (operator) {
            case "Exists" -> true;
            case "Equal" -> Objects.equals(blankToEmpty(toleration.getValue()), blankToEmpty(taint.getValue()));
            default -> false;
        };
    }

    /** How Kubernetes prints a taint in scheduling messages: {@code {key: value}}. */
    static String describe(Taint taint) {
        return "{" + taint.getKey() + ": " + blankToEmpty(taint.getValue()) + "}";
    }

    private static String blankToEmpty(String text) {
        return text == null ? "" : text;
    }
}
