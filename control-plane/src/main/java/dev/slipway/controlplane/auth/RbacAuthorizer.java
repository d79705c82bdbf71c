package dev.slipway.controlplane.auth;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.util.List;

/**
 * Kubernetes RBAC: a request is allowed when a ClusterRoleBinding, or a RoleBinding in the request's
 * namespace, binds the user (by name, group or service account) to a role with a rule that covers it.
 * RBAC only ever allows; otherwise it has no opinion. The policy hands over only the bindings that
 * may name the user (an index by subject); each is still checked here.
 */
final class RbacAuthorizer implements Authorizer {

    private static final String RBAC_GROUP = "rbac.authorization.k8s.io";

    private final RbacPolicy policy;

    RbacAuthorizer(RbacPolicy policy) {
        this.policy = policy;
    }

    @Override
    public Decision authorize(RequestAttributes request) {
        for (var binding : policy.clusterRoleBindingsNaming(request.user())) {
            if (binds(binding.getSubjects(), "", request.user())
                    && PolicyRules.allowsAny(rulesOf(binding.getRoleRef(), ""), request)) {
                return Decision.allow();
            }
        }
        if (!request.namespace().isEmpty()) {
            for (var binding : policy.roleBindingsNaming(request.namespace(), request.user())) {
                if (binds(binding.getSubjects(), request.namespace(), request.user())
                        && PolicyRules.allowsAny(rulesOf(binding.getRoleRef(), request.namespace()), request)) {
                    return Decision.allow();
                }
            }
        }
        return Decision.noOpinion();
    }

    private List<PolicyRule> rulesOf(RoleRef ref, String bindingNamespace) {
        if (ref == null || (ref.getApiGroup() != null && !ref.getApiGroup().isEmpty() && !RBAC_GROUP.equals(ref.getApiGroup()))) {
            return List.of();
        }
        return switch (String.valueOf(ref.getKind())) {
            case "ClusterRole" -> policy.clusterRole(ref.getName()).map(role -> role.getRules()).orElse(List.of());
            // A Role is only reachable from a RoleBinding of its own namespace.
            case "Role" -> bindingNamespace.isEmpty() ? List.of()
                    : policy.role(bindingNamespace, ref.getName()).map(role -> role.getRules()).orElse(List.of());
            default -> List.of();
        };
    }

    private static boolean binds(List<Subject> subjects, String bindingNamespace, UserInfo user) {
        return subjects != null && subjects.stream().anyMatch(subject -> names(subject, bindingNamespace, user));
    }

    private static boolean names(Subject subject, String bindingNamespace, UserInfo user) {
        String name = subject.getName();
        if (name == null) {
            return false;
        }
        return switch (String.valueOf(subject.getKind())) {
            case "User" -> name.equals(user.name());
            case "Group" -> user.inGroup(name);
            case "ServiceAccount" -> {
                String namespace = subject.getNamespace() == null || subject.getNamespace().isEmpty()
                        ? bindingNamespace : subject.getNamespace();
                yield !namespace.isEmpty() && user.name().equals(ServiceAccountToken.USER_PREFIX + namespace + ":" + name);
            }
            default -> false;
        };
    }
}
