package dev.slipway.controlplane.controllers.csr;

import dev.slipway.controlplane.controller.Controller;
import dev.slipway.controlplane.controller.Lister;
import dev.slipway.pki.CertificateAuthority;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The controller manager's CSR approver and kubelet signer (one controller): approves node client
 * certificates of bootstrap identities and nodes, and serving certificates of nodes, and signs them
 * with the cluster CA. Needs the cluster CA's key, which masters hold.
 */
public final class CsrSigningController implements AutoCloseable {

    /** One year, as kube-controller-manager signs by default. */
    public static final Duration DEFAULT_VALIDITY = Duration.ofDays(365);

    private final SharedIndexInformer<CertificateSigningRequest> csrInformer;
    private final SharedIndexInformer<Node> nodeInformer;
    private final Controller controller;

    private CsrSigningController(SharedIndexInformer<CertificateSigningRequest> csrInformer, SharedIndexInformer<Node> nodeInformer,
                                 Controller controller) {
        this.csrInformer = csrInformer;
        this.nodeInformer = nodeInformer;
        this.controller = controller;
    }

    /** Starts informers (and waits for their first list) and the controller. */
    public static CsrSigningController start(KubernetesClient client, CertificateAuthority ca, Duration validity, Clock clock) {
        SharedIndexInformer<CertificateSigningRequest> csrs = client.certificates().v1().certificateSigningRequests().inform();
        SharedIndexInformer<Node> nodes = client.nodes().inform();
        var reconciler = new CsrSigningReconciler(Lister.of(csrs), Lister.of(nodes), writer(client), ca, validity, clock);
        Controller controller = new Controller("csr-signing", reconciler, 2).watch(csrs, Controller::self);
        csrs.getStore().list().forEach(csr -> controller.enqueue(dev.slipway.controlplane.controller.ObjectRef.of(csr)));
        controller.start();
        return new CsrSigningController(csrs, nodes, controller);
    }

    private static CsrSigningReconciler.CsrWriter writer(KubernetesClient client) {
        return new CsrSigningReconciler.CsrWriter() {
            @Override
            public void approve(CertificateSigningRequest csr, CertificateSigningRequestCondition approved) {
                CertificateSigningRequest next = new CertificateSigningRequestBuilder(csr).build();
                List<CertificateSigningRequestCondition> conditions = new ArrayList<>();
                if (next.getStatus() != null && next.getStatus().getConditions() != null) {
                    conditions.addAll(next.getStatus().getConditions());
                }
                conditions.add(approved);
                next = new CertificateSigningRequestBuilder(next).editOrNewStatus().withConditions(conditions).endStatus().build();
                client.certificates().v1().certificateSigningRequests().resource(next).subresource("approval").update();
            }

            @Override
            public void writeStatus(CertificateSigningRequest csr) {
                client.certificates().v1().certificateSigningRequests().resource(csr).updateStatus();
            }
        };
    }

    @Override
    public void close() {
        controller.close();
        csrInformer.close();
        nodeInformer.close();
    }
}
