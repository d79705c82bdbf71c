package dev.slipway.controlplane.apiserver.resources;

import dev.slipway.controlplane.apiserver.core.ApiError;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.node.ObjectNode;

/**
 * Everything the API server knows about one resource: its names, scope, verbs, subresources, the
 * fabric8 model class that defines its fields, the columns of its table, and how objects of it are
 * defaulted and validated.
 */
public record ResourceDescriptor(String group, String version, String kind, String plural, String singular,
                                 List<String> shortNames, boolean namespaced, List<String> verbs,
                                 Set<String> subresources, Class<?> modelClass, List<String> categories,
                                 List<TableColumn> columns, Defaulter defaulter, Validator validator) {

    public static final List<String> ALL_VERBS =
            List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

    /** Fills in what Kubernetes fills in when a field is left out. */
    @FunctionalInterface
    public interface Defaulter {
        void apply(ObjectNode object);
    }

    /** The wrong fields of an object, as 422 causes; empty when it is valid. */
    @FunctionalInterface
    public interface Validator {
        List<ApiError.Cause> validate(ObjectNode object);
    }

    public ResourceDescriptor {
        shortNames = List.copyOf(shortNames);
        verbs = List.copyOf(verbs);
        subresources = Set.copyOf(subresources);
        categories = List.copyOf(categories);
        columns = List.copyOf(columns);
    }

    /** e.g. {@code v1} or {@code apps/v1}. */
    public String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    public String groupVersion() {
        return apiVersion();
    }

    public boolean hasStatus() {
        return subresources.contains("status");
    }

    public boolean hasScale() {
        return subresources.contains("scale");
    }

    /** The resource's name with its group, as errors and RBAC name it: {@code deployments.apps}. */
    public String qualifiedName() {
        return group.isEmpty() ? plural : plural + "." + group;
    }
}
