package dev.slipway.controlplane.auth;

import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import java.util.Collection;
import java.util.Optional;

/** The objects the node authorizer reads: from the store's watch caches, or from fixtures in tests. */
interface NodeObjects {

    /** The pods whose {@code spec.nodeName} is {@code node}. */
    Collection<PodReferences> podsOn(String node);

    Optional<PodReferences> pod(String namespace, String name);

    Optional<CertificateSigningRequest> certificateSigningRequest(String name);
}
