package dev.slipway.controlplane.auth;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** RBAC objects held in lists: the default policy plus whatever a test adds. */
final class RbacFixtures implements RbacPolicy {

    final List<ClusterRole> clusterRoles = new ArrayList<>(DefaultPolicy.clusterRoles());
    final List<ClusterRoleBinding> clusterRoleBindings = new ArrayList<>(DefaultPolicy.clusterRoleBindings());
    final List<Role> roles = new ArrayList<>();
    final List<RoleBinding> roleBindings = new ArrayList<>();

    /** A Role in {@code namespace} granting {@code verbs} on {@code resources} of the core group, bound to user {@code user}. */
    RbacFixtures grant(String user, String namespace, List<String> resources, List<String> verbs) {
        String name = user + "-" + String.join("-", resources).replace('/', '-');
        roles.add(new RoleBuilder().withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .addNewRule().withApiGroups("").withResources(resources).withVerbs(verbs).endRule().build());
        roleBindings.add(new RoleBindingBuilder().withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "Role", name)
                .addNewSubject().withApiGroup("rbac.authorization.k8s.io").withKind("User").withName(user).endSubject()
                .build());
        return this;
    }

    /** A RoleBinding in {@code namespace} of the ClusterRole {@code clusterRole} to a subject. */
    RbacFixtures bindClusterRole(String namespace, String clusterRole, String kind, String subject, String subjectNamespace) {
        roleBindings.add(new RoleBindingBuilder().withNewMetadata().withName(clusterRole + "-" + subject).withNamespace(namespace).endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", clusterRole)
                .addNewSubject().withKind(kind).withName(subject).withNamespace(subjectNamespace).endSubject()
                .build());
        return this;
    }

    // Indexed afresh on every question, so that every RBAC test also goes through the index by subject.
    @Override
    public Collection<ClusterRoleBinding> clusterRoleBindingsNaming(UserInfo user) {
        return BindingIndex.of(clusterRoleBindings, roleBindings).clusterRoleBindingsNaming(user);
    }

    @Override
    public Collection<RoleBinding> roleBindingsNaming(String namespace, UserInfo user) {
        return BindingIndex.of(clusterRoleBindings, roleBindings).roleBindingsNaming(namespace, user);
    }

    @Override
    public Optional<ClusterRole> clusterRole(String name) {
        return clusterRoles.stream().filter(role -> name.equals(role.getMetadata().getName())).findFirst();
    }

    @Override
    public Optional<Role> role(String namespace, String name) {
        return roles.stream().filter(role -> namespace.equals(role.getMetadata().getNamespace())
                && name.equals(role.getMetadata().getName())).findFirst();
    }
}
