package dev.slipway.controlplane.scheduler;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import java.util.List;
import java.util.Map;

/** Whether a node matches a pod's {@code nodeSelector} and required node affinity. */
final class NodeSelection {

    private NodeSelection() {
    }

    static boolean matches(PodDemand pod, Node node) {
        Map<String, String> labels = node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
        for (var wanted : pod.nodeSelector().entrySet()) {
            if (!wanted.getValue().equals(labels.get(wanted.getKey()))) {
                return false;
            }
        }
        if (pod.requiredTerms().isEmpty()) {
            return true;
        }
        Map<String, String> fields = Map.of("metadata.name", node.getMetadata().getName());
        // Terms are ORed; the requirements inside one term are ANDed; a term with no requirement matches nothing.
        return pod.requiredTerms().stream().anyMatch(term -> matches(term, labels, fields));
    }

    private static boolean matches(NodeSelectorTerm term, Map<String, String> labels, Map<String, String> fields) {
        List<NodeSelectorRequirement> expressions = term.getMatchExpressions() == null ? List.of() : term.getMatchExpressions();
        List<NodeSelectorRequirement> fieldExpressions = term.getMatchFields() == null ? List.of() : term.getMatchFields();
        if (expressions.isEmpty() && fieldExpressions.isEmpty()) {
            return false;
        }
        return expressions.stream().allMatch(requirement -> matches(requirement, labels))
                && fieldExpressions.stream().allMatch(requirement -> matches(requirement, fields));
    }

    static boolean matches(NodeSelectorRequirement requirement, Map<String, String> labels) {
        String value = labels.get(requirement.getKey());
        List<String> values = requirement.getValues() == null ? List.of() : requirement.getValues();
        return switch (requirement.getOperator() == null ? "" : requirement.getOperator()) {
            case "In" -> value != null && values.contains(value);
            case "NotIn" -> value == null || !values.contains(value);
            case "Exists" -> value != null;
            case "DoesNotExist" -> value == null;
            case "Gt" -> compare(value, values) > 0;
            case "Lt" -> compare(value, values) < 0;
            default -> false;
        };
    }

    /** Sign of label minus the single given value, both integers; 0 (no match for Gt/Lt) when either is missing or not a number. */
    private static int compare(String value, List<String> values) {
        if (value == null || values.size() != 1) {
            return 0;
        }
        try {
            return Long.compare(Long.parseLong(value), Long.parseLong(values.getFirst()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
