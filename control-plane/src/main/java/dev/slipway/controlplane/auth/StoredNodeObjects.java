package dev.slipway.controlplane.auth;

import dev.slipway.controlplane.storage.ListRequest;
import dev.slipway.controlplane.storage.ObjectKey;
import dev.slipway.controlplane.storage.ObjectStore;
import dev.slipway.controlplane.storage.StoredObject;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import java.util.Collection;
import java.util.Optional;
import java.util.function.Function;

/** The node authorizer's objects as etcd holds them now: each question is one or two reads. */
record StoredNodeObjects(ObjectStore store) implements NodeObjects {

    private static final Function<byte[], CertificateSigningRequest> CSR = ModelJson.reader(CertificateSigningRequest.class);

    /** Lists the namespace's pods at etcd's current revision: a list at revision 0 may come from the watch cache, which may lag too. */
    @Override
    public Collection<PodReferences> podsOn(String node, String namespace) {
        return store.list("pods", Optional.of(namespace), ListRequest.atRevision(store.currentRevision())).items().stream()
                .flatMap(stored -> readable(stored).stream()).filter(pod -> pod.boundTo(node)).toList();
    }

    /** As the cache does: one unreadable pod must not fail the decision about the others. */
    private static Optional<PodReferences> readable(StoredObject stored) {
        try {
            return Optional.of(PodReferences.read(stored.json()));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<PodReferences> pod(String namespace, String name) {
        return namespace.isEmpty() || name.isEmpty() ? Optional.empty()
                : store.get(new ObjectKey("pods", namespace, name)).map(stored -> PodReferences.read(stored.json()));
    }

    @Override
    public Optional<CertificateSigningRequest> certificateSigningRequest(String name) {
        return name.isEmpty() ? Optional.empty()
                : store.get(ObjectKey.clusterScoped("certificatesigningrequests", name)).map(stored -> CSR.apply(stored.json()));
    }
}
