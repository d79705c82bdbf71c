package dev.slipway.controlplane.controllers;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import java.util.List;
import java.util.Map;

/** Label selector matching: {@code matchLabels} and {@code matchExpressions} (In, NotIn, Exists, DoesNotExist). */
final class LabelSelectors {

    private LabelSelectors() {
    }

    static boolean matches(LabelSelector selector, Map<String, String> labels) {
        if (selector == null) {
            return false; // a workload without a selector selects nothing, as in Kubernetes
        }
        Map<String, String> present = labels == null ? Map.of() : labels;
        if (selector.getMatchLabels() != null) {
            for (var entry : selector.getMatchLabels().entrySet()) {
                if (!entry.getValue().equals(present.get(entry.getKey()))) {
                    return false;
                }
            }
        }
        if (selector.getMatchExpressions() != null) {
            for (LabelSelectorRequirement requirement : selector.getMatchExpressions()) {
                if (!matches(requirement.getKey(), requirement.getOperator(), requirement.getValues(), present)) {
                    return false;
                }
            }
        }
        return true;
    }

    static boolean matches(NodeSelectorRequirement requirement, Map<String, String> labels) {
        return matches(requirement.getKey(), requirement.getOperator(), requirement.getValues(), labels == null ? Map.of() : labels);
    }

    private static boolean matches(String key, String operator, List<String> values, Map<String, String> labels) {
        List<String> allowed = values == null ? List.of() : values;
        return switch (operator) {
            case "In" -> labels.containsKey(key) && allowed.contains(labels.get(key));
            case "NotIn" -> !labels.containsKey(key) || !allowed.contains(labels.get(key));
            case "Exists" -> labels.containsKey(key);
            case "DoesNotExist" -> !labels.containsKey(key);
            case "Gt", "Lt" -> labels.containsKey(key) && allowed.size() == 1 && compare(labels.get(key), allowed.get(0), operator);
            default -> throw new IllegalArgumentException("unknown selector operator \"" + operator + "\" for key " + key);
        };
    }

    private static boolean compare(String actual, String bound, String operator) {
        try {
            long value = Long.parseLong(actual);
            long limit = Long.parseLong(bound);
            return operator.equals("Gt") ? value > limit : value < limit;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
