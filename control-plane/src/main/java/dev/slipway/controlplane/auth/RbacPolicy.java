package dev.slipway.controlplane.auth;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.util.Collection;
import java.util.Optional;

/** The RBAC objects the authorizer reads: from the store's watch caches, or from fixtures in tests. */
interface RbacPolicy {

    /** At least every ClusterRoleBinding that names the user, one of its groups, or its service account. */
    Collection<ClusterRoleBinding> clusterRoleBindingsNaming(UserInfo user);

    /** At least every RoleBinding of {@code namespace} that names the user, one of its groups, or its service account. */
    Collection<RoleBinding> roleBindingsNaming(String namespace, UserInfo user);

    Optional<ClusterRole> clusterRole(String name);

    Optional<Role> role(String namespace, String name);
}
