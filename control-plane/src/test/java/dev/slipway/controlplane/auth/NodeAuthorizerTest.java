package dev.slipway.controlplane.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NodeAuthorizerTest {

    private static final Pod WEB_ON_N1 = new PodBuilder()
            .withNewMetadata().withName("web").withNamespace("shop").endMetadata()
            .withNewSpec().withNodeName("n1").withServiceAccountName("web-sa")
                .addNewImagePullSecret("registry-login")
                .addNewVolume().withName("cfg").withNewConfigMap().withName("web-config").endConfigMap().endVolume()
                .addNewVolume().withName("tls").withNewSecret().withSecretName("web-tls").endSecret().endVolume()
                .addNewVolume().withName("data").withNewPersistentVolumeClaim().withClaimName("web-data").endPersistentVolumeClaim().endVolume()
                .addNewContainer().withName("app").withImage("web:1")
                    .addNewEnv().withName("PASSWORD").withNewValueFrom().withNewSecretKeyRef("password", "db-login", false).endValueFrom().endEnv()
                .endContainer()
            .endSpec().build();
    private static final Pod DB_ON_N2 = new PodBuilder()
            .withNewMetadata().withName("db").withNamespace("shop").endMetadata()
            .withNewSpec().withNodeName("n2")
                .addNewVolume().withName("tls").withNewSecret().withSecretName("db-tls").endSecret().endVolume()
                .addNewContainer().withName("db").withImage("db:1").endContainer()
            .endSpec().build();
    private static final CertificateSigningRequest N1_CSR = new CertificateSigningRequestBuilder()
            .withNewMetadata().withName("csr-n1").endMetadata().withNewSpec().withUsername("system:node:n1").endSpec().build();
    private static final CertificateSigningRequest N2_CSR = new CertificateSigningRequestBuilder()
            .withNewMetadata().withName("csr-n2").endMetadata().withNewSpec().withUsername("system:node:n2").endSpec().build();

    // As the API server's cache holds them: read from the pods' stored JSON.
    private static final List<PodReferences> PODS = List.of(WEB_ON_N1, DB_ON_N2).stream()
            .map(pod -> PodReferences.read(ModelJson.write(pod))).toList();

    private static final List<CertificateSigningRequest> CSRS = List.of(N1_CSR, N2_CSR);

    private final Authorizer authorizer = new NodeAuthorizer(holding(PODS, CSRS), holding(List.of(), List.of()));

    /** Fixed objects, as a cache or etcd would show them. */
    private static NodeObjects holding(List<PodReferences> pods, List<CertificateSigningRequest> csrs) {
        return new NodeObjects() {
            @Override
            public Collection<PodReferences> podsOn(String node, String namespace) {
                return pods.stream().filter(pod -> pod.boundTo(node) && pod.namespace().equals(namespace)).toList();
            }

            @Override
            public Optional<PodReferences> pod(String namespace, String name) {
                return pods.stream().filter(pod -> pod.namespace().equals(namespace) && pod.name().equals(name)).findFirst();
            }

            @Override
            public Optional<CertificateSigningRequest> certificateSigningRequest(String name) {
                return csrs.stream().filter(csr -> csr.getMetadata().getName().equals(name)).findFirst();
            }
        };
    }

    private static final UserInfo N1 = UserInfo.of("system:node:n1", List.of("system:nodes"));

    @ParameterizedTest(name = "n1 {0} {1}/{2}/{3} in \"{4}\" named \"{5}\" selecting \"{6}\" -> {7}")
    @CsvSource(nullValues = "-", textBlock = """
            get,    '',                  nodes,                      -,      -,               n1,        -,                      true
            patch,  '',                  nodes,                      status, -,               n1,        -,                      true
            update, '',                  nodes,                      -,      -,               n1,        -,                      true
            get,    '',                  nodes,                      -,      -,               n2,        -,                      false
            patch,  '',                  nodes,                      status, -,               n2,        -,                      false
            delete, '',                  nodes,                      -,      -,               n1,        -,                      false
            watch,  '',                  nodes,                      -,      -,               -,         metadata.name=n1,       true
            list,   '',                  nodes,                      -,      -,               -,         -,                      false
            create, coordination.k8s.io, leases,                     -,      kube-node-lease, -,         -,                      true
            update, coordination.k8s.io, leases,                     -,      kube-node-lease, n1,        -,                      true
            get,    coordination.k8s.io, leases,                     -,      kube-node-lease, n1,        -,                      true
            update, coordination.k8s.io, leases,                     -,      kube-node-lease, n2,        -,                      false
            update, coordination.k8s.io, leases,                     -,      default,         n1,        -,                      false
            get,    '',                  pods,                       -,      shop,            web,       -,                      true
            get,    '',                  pods,                       -,      shop,            db,        -,                      false
            list,   '',                  pods,                       -,      -,               -,         spec.nodeName=n1,       true
            watch,  '',                  pods,                       -,      -,               -,         'spec.nodeName==n1,status.phase=Running', true
            watch,  '',                  pods,                       -,      -,               -,         spec.nodeName=n2,       false
            list,   '',                  pods,                       -,      -,               -,         -,                      false
            list,   '',                  pods,                       -,      -,               -,         spec.nodeName!=n1,      false
            update, '',                  pods,                       status, shop,            web,       -,                      true
            update, '',                  pods,                       status, shop,            db,        -,                      false
            update, '',                  pods,                       -,      shop,            web,       -,                      false
            get,    '',                  secrets,                    -,      shop,            web-tls,   -,                      true
            get,    '',                  secrets,                    -,      shop,            db-login,  -,                      true
            get,    '',                  secrets,                    -,      shop,            registry-login, -,                 true
            get,    '',                  secrets,                    -,      shop,            db-tls,    -,                      false
            list,   '',                  secrets,                    -,      shop,            -,         -,                      false
            get,    '',                  secrets,                    -,      other,           web-tls,   -,                      false
            get,    '',                  configmaps,                 -,      shop,            web-config, -,                     true
            get,    '',                  configmaps,                 -,      shop,            web-tls,   -,                      false
            get,    '',                  persistentvolumeclaims,     -,      shop,            web-data,  -,                      true
            get,    '',                  serviceaccounts,            -,      shop,            web-sa,    -,                      true
            get,    '',                  serviceaccounts,            -,      shop,            default,   -,                      false
            create, '',                  events,                     -,      shop,            -,         -,                      true
            delete, '',                  events,                     -,      shop,            e,         -,                      false
            create, certificates.k8s.io, certificatesigningrequests, -,      -,               -,         -,                      true
            get,    certificates.k8s.io, certificatesigningrequests, -,      -,               csr-n1,    -,                      true
            get,    certificates.k8s.io, certificatesigningrequests, -,      -,               csr-n2,    -,                      false
            watch,  certificates.k8s.io, certificatesigningrequests, -,      -,               -,         metadata.name=csr-n1,   true
            update, certificates.k8s.io, certificatesigningrequests, approval, -,             csr-n1,    -,                      false
            get,    '',                  namespaces,                 -,      -,               shop,      -,                      false
            """)
    void allowsANodeOnlyWhatItsKubeletNeeds(String verb, String group, String resource, String sub, String namespace,
                                            String name, String fieldSelector, boolean allowed) {
        var request = RequestAttributes.resource(N1, verb, group, "v1", resource, sub, namespace, name).withFieldSelector(fieldSelector);

        Decision decision = authorizer.authorize(request);

        assertThat(decision).isEqualTo(allowed ? Decision.allow() : Decision.noOpinion());
    }

    @Test
    void aNodeNameOutsideTheNodesGroupGetsNoOpinion() {
        var impostor = UserInfo.of("system:node:n1", List.of("developers"));

        Decision decision = authorizer.authorize(RequestAttributes.resource(impostor, "get", "", "v1", "nodes", "", "", "n1"));

        assertThat(decision).isEqualTo(Decision.noOpinion());
    }

    @Test
    void otherUsersGetNoOpinion() {
        var alice = UserInfo.of("alice", List.of("system:nodes"));

        Decision decision = authorizer.authorize(RequestAttributes.resource(alice, "get", "", "v1", "nodes", "", "", "n1"));

        assertThat(decision).isEqualTo(Decision.noOpinion());
    }

    @ParameterizedTest(name = "n1 {0} {1}/{2} in \"{3}\" named \"{4}\" -> {5}")
    @CsvSource(textBlock = """
            get,    pods,                       shop, web,        true
            update, pods,                       shop, web,        true
            get,    secrets,                    shop, web-tls,    true
            get,    configmaps,                 shop, web-config, true
            get,    certificatesigningrequests, '',   csr-n1,     true
            get,    pods,                       shop, db,         false
            get,    secrets,                    shop, db-tls,     false
            get,    certificatesigningrequests, '',   csr-n2,     false
            """)
    void whatTheCacheDoesNotYetHoldIsDecidedFromCurrentObjects(String verb, String resource, String namespace, String name, boolean allowed) {
        // The cache has not seen web bound to n1 yet, nor any CSR; etcd already holds them.
        PodReferences webUnbound = PodReferences.read(ModelJson.write(new PodBuilder(WEB_ON_N1).editSpec().withNodeName(null).endSpec().build()));
        var lagging = new NodeAuthorizer(holding(List.of(webUnbound), List.of()), holding(PODS, CSRS));
        String group = resource.equals("certificatesigningrequests") ? "certificates.k8s.io" : "";
        String sub = verb.equals("update") ? "status" : "";

        Decision decision = lagging.authorize(RequestAttributes.resource(N1, verb, group, "v1", resource, sub, namespace, name));

        assertThat(decision).isEqualTo(allowed ? Decision.allow() : Decision.noOpinion());
    }
}
