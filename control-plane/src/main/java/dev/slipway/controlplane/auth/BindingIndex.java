package dev.slipway.controlplane.auth;

import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * RBAC bindings by the subjects they name (a user, a group, a service account), so that a request
 * looks only at the bindings that can apply to its user instead of scanning them all. Immutable:
 * built again from the binding caches when they change.
 */
final class BindingIndex {

    /** A subject as a request's user can match it; a service account's namespace is resolved against its binding's. */
    private record SubjectKey(String kind, String namespace, String name) {
    }

    private final Map<SubjectKey, List<ClusterRoleBinding>> clusterBindings;
    private final Map<String, Map<SubjectKey, List<RoleBinding>>> roleBindingsByNamespace;

    private BindingIndex(Map<SubjectKey, List<ClusterRoleBinding>> clusterBindings,
                         Map<String, Map<SubjectKey, List<RoleBinding>>> roleBindingsByNamespace) {
        this.clusterBindings = clusterBindings;
        this.roleBindingsByNamespace = roleBindingsByNamespace;
    }

    static BindingIndex of(Collection<ClusterRoleBinding> clusterRoleBindings, Collection<RoleBinding> roleBindings) {
        Map<SubjectKey, List<ClusterRoleBinding>> cluster = new HashMap<>();
        for (ClusterRoleBinding binding : clusterRoleBindings) {
            for (SubjectKey key : keys(binding.getSubjects(), "")) {
                cluster.computeIfAbsent(key, k -> new ArrayList<>()).add(binding);
            }
        }
        Map<String, Map<SubjectKey, List<RoleBinding>>> namespaced = new HashMap<>();
        for (RoleBinding binding : roleBindings) {
            String namespace = binding.getMetadata() == null || binding.getMetadata().getNamespace() == null
                    ? "" : binding.getMetadata().getNamespace();
            if (namespace.isEmpty()) {
                continue; // a RoleBinding without a namespace binds nothing
            }
            for (SubjectKey key : keys(binding.getSubjects(), namespace)) {
                namespaced.computeIfAbsent(namespace, n -> new HashMap<>()).computeIfAbsent(key, k -> new ArrayList<>()).add(binding);
            }
        }
        return new BindingIndex(cluster, namespaced);
    }

    /** The ClusterRoleBindings that name {@code user}, its groups, or its service account; each once. */
    Collection<ClusterRoleBinding> clusterRoleBindingsNaming(UserInfo user) {
        return naming(clusterBindings, user);
    }

    /** The RoleBindings of {@code namespace} that name {@code user}, its groups, or its service account; each once. */
    Collection<RoleBinding> roleBindingsNaming(String namespace, UserInfo user) {
        Map<SubjectKey, List<RoleBinding>> bindings = roleBindingsByNamespace.get(namespace);
        return bindings == null ? List.of() : naming(bindings, user);
    }

    private static <B> Collection<B> naming(Map<SubjectKey, List<B>> bindings, UserInfo user) {
        List<B> found = new ArrayList<>();
        // By identity: the model classes' equals and hashCode walk the whole object.
        Set<B> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (SubjectKey key : keysOf(user)) {
            List<B> named = bindings.get(key);
            if (named == null) {
                continue;
            }
            for (B binding : named) {
                if (seen.add(binding)) {
                    found.add(binding);
                }
            }
        }
        return found;
    }

    private static List<SubjectKey> keysOf(UserInfo user) {
        List<SubjectKey> keys = new ArrayList<>(user.groups().size() + 2);
        keys.add(new SubjectKey("User", "", user.name()));
        for (String group : user.groups()) {
            keys.add(new SubjectKey("Group", "", group));
        }
        if (user.name().startsWith(ServiceAccountToken.USER_PREFIX)) {
            String account = user.name().substring(ServiceAccountToken.USER_PREFIX.length());
            int colon = account.indexOf(':');
            if (colon > 0 && colon < account.length() - 1) {
                keys.add(new SubjectKey("ServiceAccount", account.substring(0, colon), account.substring(colon + 1)));
            }
        }
        return keys;
    }

    private static List<SubjectKey> keys(List<Subject> subjects, String bindingNamespace) {
        if (subjects == null) {
            return List.of();
        }
        List<SubjectKey> keys = new ArrayList<>(subjects.size());
        for (Subject subject : subjects) {
            String name = subject.getName();
            if (name == null) {
                continue;
            }
            switch (String.valueOf(subject.getKind())) {
                case "User" -> keys.add(new SubjectKey("User", "", name));
                case "Group" -> keys.add(new SubjectKey("Group", "", name));
                case "ServiceAccount" -> {
                    String namespace = subject.getNamespace() == null || subject.getNamespace().isEmpty()
                            ? bindingNamespace : subject.getNamespace();
                    if (!namespace.isEmpty()) {
                        keys.add(new SubjectKey("ServiceAccount", namespace, name));
                    }
                }
                default -> { }
            }
        }
        return keys;
    }
}
