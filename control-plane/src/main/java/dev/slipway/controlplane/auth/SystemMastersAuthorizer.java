package dev.slipway.controlplane.auth;

/**
 * Members of {@code system:masters} may do anything, whatever the RBAC objects say, as in Kubernetes
 * (its privileged-groups authorizer, first in the chain): an admin cannot lock everybody out by
 * deleting or editing the {@code cluster-admin} binding, and the admin's requests skip the RBAC walk.
 * Only client certificates from the cluster's CA name that group, and only two carry it: the admin's
 * and the API server's own for kubelets (both issued by {@code slipway up}); the kubelet signer
 * refuses any organization but {@code system:nodes}.
 */
final class SystemMastersAuthorizer implements Authorizer {

    @Override
    public Decision authorize(RequestAttributes request) {
        return request.user().inGroup(UserInfo.MASTERS) ? Decision.allow() : Decision.noOpinion();
    }
}
