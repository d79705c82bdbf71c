package dev.slipway.controlplane.controllers.csr;

import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestSpec;
import java.util.List;
import java.util.Set;

/**
 * Which kubelet certificate requests the controller manager approves, after Kubernetes' CSR
 * approver: a node client certificate for a bootstrap identity (joining) or for the node itself
 * (renewal), and a kubelet serving certificate for the node itself. The subject, SANs and key are
 * checked again when signing; everything else is left for a person to approve or deny.
 */
sealed interface CsrDecision {

    String CLIENT_SIGNER = "kubernetes.io/kube-apiserver-client-kubelet";
    String SERVING_SIGNER = "kubernetes.io/kubelet-serving";
    String NODES_GROUP = "system:nodes";
    String BOOTSTRAPPERS_GROUP = "system:bootstrappers";
    String NODE_PREFIX = "system:node:";
    Set<String> CLIENT_USAGES = Set.of("digital signature", "key encipherment", "client auth");
    Set<String> SERVING_USAGES = Set.of("digital signature", "key encipherment", "server auth");

    /** Approve and sign for {@code node}; {@code serving} picks the signer's usages. */
    record Approve(String node, boolean serving, String reason) implements CsrDecision {
    }

    /** Not one of ours to approve: a person (or another approver) decides. */
    record Leave(String why) implements CsrDecision {
    }

    /**
     * Decides from the spec alone; the API server fills {@code username} and {@code groups} from
     * the requester. The node name comes from the requester for renewals and serving
     * certificates, and from the request's CN (checked when signing) for joins.
     */
    static CsrDecision of(CertificateSigningRequest csr, String commonName) {
        CertificateSigningRequestSpec spec = csr.getSpec();
        if (spec == null) {
            return new Leave("no spec");
        }
        String signer = String.valueOf(spec.getSignerName());
        List<String> groups = spec.getGroups() == null ? List.of() : spec.getGroups();
        String user = String.valueOf(spec.getUsername());
        Set<String> usages = spec.getUsages() == null ? Set.of() : Set.copyOf(spec.getUsages());
        if (!commonName.startsWith(NODE_PREFIX) || commonName.length() == NODE_PREFIX.length()) {
            return new Leave("the request's CN " + commonName + " is not system:node:<name>");
        }
        String node = commonName.substring(NODE_PREFIX.length());
        boolean self = user.equals(commonName) && groups.contains(NODES_GROUP);
        return switch (signer) {
            case CLIENT_SIGNER -> {
                if (!CLIENT_USAGES.containsAll(usages) || !usages.contains("client auth")) {
                    yield new Leave("usages " + usages + " are not a kubelet client's");
                }
                if (self) {
                    yield new Approve(node, false, "Auto approving self kubelet client certificate after SubjectAccessReview.");
                }
                if (groups.contains(BOOTSTRAPPERS_GROUP)) {
                    yield new Approve(node, false, "Auto approving kubelet client certificate after SubjectAccessReview.");
                }
                yield new Leave("requester " + user + " is neither a bootstrap identity nor node " + node);
            }
            case SERVING_SIGNER -> {
                if (!SERVING_USAGES.containsAll(usages) || !usages.contains("server auth")) {
                    yield new Leave("usages " + usages + " are not a kubelet server's");
                }
                yield self ? new Approve(node, true, "Auto approving kubelet serving certificate of its own node.")
                        : new Leave("requester " + user + " is not node " + node);
            }
            default -> new Leave("signer " + signer + " is not a kubelet signer");
        };
    }
}
