package dev.slipway.controlplane.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.controlplane.storage.ObjectKey;
import dev.slipway.controlplane.storage.ObjectStore;
import dev.slipway.controlplane.storage.StoredObject;
import dev.slipway.controlplane.storage.Watch;
import dev.slipway.controlplane.storage.WatchListener;
import dev.slipway.controlplane.testing.ForwardingObjectStore;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The node authorizer against a real etcd while AccessControl's caches of pods and CSRs hear nothing
 * from their watches: a kubelet acts on what its own watch showed it (its pod bound, its CSR created)
 * and may ask before the API server's caches have seen it. Such a request must not be refused.
 */
class LaggingCacheAuthorizationTest {

    private static final Set<String> HELD_BACK = Set.of("pods", "certificatesigningrequests");
    private static final UserInfo N1 = UserInfo.of("system:node:n1", List.of(NodeAuthorizer.NODES_GROUP));

    private static AuthStorage storage;
    private static ObjectStore store;
    private static AccessControl access;

    @BeforeAll
    static void startWithDeafCaches() throws Exception {
        storage = AuthStorage.start();
        store = storage.store();
        // Listed empty at start, and then never told of a change.
        ObjectStore deaf = new ForwardingObjectStore(store) {
            @Override
            public Watch watch(String resource, Optional<String> namespace, long fromRevision, WatchListener listener) {
                return HELD_BACK.contains(resource) ? new Watch() {
                    @Override
                    public void requestBookmark() {
                    }

                    @Override
                    public void close() {
                    }
                } : super.watch(resource, namespace, fromRevision, listener);
            }
        };
        access = AccessControl.start(deaf, AccessControlConfig.withDefaults(storage.saPub()));
    }

    @AfterAll
    static void stop() {
        if (access != null) {
            access.close();
        }
        if (storage != null) {
            storage.close();
        }
    }

    @Test
    void aKubeletMayReachItsPodAndWhatItReferencesBeforeTheCacheHasThem() {
        put("pods", pod("web", "n1", "web-tls"));
        put("pods", pod("db", "n2", "db-tls"));

        assertThat(allowed("get", "", "pods", "", "shop", "web")).isTrue();
        assertThat(allowed("update", "", "pods", "status", "shop", "web")).isTrue();
        assertThat(allowed("get", "", "secrets", "", "shop", "web-tls")).isTrue();
        assertThat(allowed("get", "", "pods", "", "shop", "db")).isFalse();
        assertThat(allowed("get", "", "secrets", "", "shop", "db-tls")).isFalse();
    }

    @Test
    void anUnreadablePodInTheNamespaceDoesNotHideTheOthers() {
        store.create(new ObjectKey("pods", "broken", "garbage"), "{not json".getBytes(StandardCharsets.UTF_8));
        put("pods", new PodBuilder(pod("app", "n1", "app-tls")).editMetadata().withNamespace("broken").endMetadata().build());

        assertThat(allowed("get", "", "secrets", "", "broken", "app-tls")).isTrue();
        assertThat(allowed("get", "", "secrets", "", "broken", "other")).isFalse();
    }

    @Test
    void aPodBoundSinceTheCacheListedItIsTheKubeletsToUpdate() {
        StoredObject pending = put("pods", pod("late", "", "late-tls"));
        assertThat(allowed("update", "", "pods", "status", "shop", "late")).isFalse();

        store.update(pending.key(), pending.modRevision(), ModelJson.write(pod("late", "n1", "late-tls")));

        assertThat(allowed("update", "", "pods", "status", "shop", "late")).isTrue();
        assertThat(allowed("get", "", "secrets", "", "shop", "late-tls")).isTrue();
    }

    @Test
    void aKubeletMayReadTheCsrItHasJustCreated() {
        put("certificatesigningrequests", new CertificateSigningRequestBuilder().withNewMetadata().withName("csr-n1").endMetadata()
                .withNewSpec().withUsername("system:node:n1").endSpec().build());
        put("certificatesigningrequests", new CertificateSigningRequestBuilder().withNewMetadata().withName("csr-n2").endMetadata()
                .withNewSpec().withUsername("system:node:n2").endSpec().build());

        assertThat(allowed("get", "certificates.k8s.io", "certificatesigningrequests", "", "", "csr-n1")).isTrue();
        assertThat(allowed("get", "certificates.k8s.io", "certificatesigningrequests", "", "", "csr-n2")).isFalse();
    }

    private static Pod pod(String name, String node, String secret) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("shop").endMetadata()
                .withNewSpec().withNodeName(node.isEmpty() ? null : node)
                .addNewVolume().withName("tls").withNewSecret().withSecretName(secret).endSecret().endVolume()
                .addNewContainer().withName("app").withImage("app:1").endContainer().endSpec().build();
    }

    private static StoredObject put(String resource, HasMetadata object) {
        return AuthorizationMatrixTest.put(store, resource, object);
    }

    private static boolean allowed(String verb, String group, String resource, String sub, String namespace, String name) {
        return access.authorizer().authorize(RequestAttributes.resource(N1, verb, group, "v1", resource, sub, namespace, name)).allowed();
    }
}
