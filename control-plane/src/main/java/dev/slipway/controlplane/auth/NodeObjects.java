package dev.slipway.controlplane.auth;

import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import java.util.Collection;
import java.util.Optional;

/** The objects the node authorizer reads: from the watch caches, from etcd, or from fixtures in tests. */
interface NodeObjects {

    /** The pods of {@code namespace} whose {@code spec.nodeName} is {@code node}. */
    Collection<PodReferences> podsOn(String node, String namespace);

    Optional<PodReferences> pod(String namespace, String name);

    Optional<CertificateSigningRequest> certificateSigningRequest(String name);
}
