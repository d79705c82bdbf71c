package dev.slipway.controlplane.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.controlplane.storage.ObjectKey;
import dev.slipway.controlplane.storage.ObjectStore;
import dev.slipway.controlplane.storage.StoredObject;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Authentication and authorization together, against a real etcd: the objects that decide (token
 * Secrets, pods, service accounts, roles and bindings) are stored, and AccessControl reads them
 * through its watch-driven caches, as in the API server.
 */
class AuthorizationMatrixTest {

    private static AuthStorage storage;
    private static ObjectStore store;
    private static AccessControl access;
    private static Map<String, Credentials> identities;
    private static TokenIssuer issuer;

    @BeforeAll
    static void startCluster() throws Exception {
        storage = AuthStorage.start();
        store = storage.store();

        put("secrets", BootstrapTokenAuthenticatorTest.tokenSecret("abcdef", "0123456789abcdef",
                Map.of("expiration", "2999-01-01T00:00:00Z")));
        put("secrets", BootstrapTokenAuthenticatorTest.tokenSecret("old000", "0123456789abcdef",
                Map.of("expiration", "2020-01-01T00:00:00Z")));
        put("pods", new PodBuilder().withNewMetadata().withName("web").withNamespace("shop").endMetadata()
                .withNewSpec().withNodeName("n1")
                .addNewVolume().withName("tls").withNewSecret().withSecretName("web-tls").endSecret().endVolume()
                .addNewContainer().withName("app").withImage("web:1").endContainer().endSpec().build());
        put("pods", new PodBuilder().withNewMetadata().withName("db").withNamespace("shop").endMetadata()
                .withNewSpec().withNodeName("n2")
                .addNewVolume().withName("tls").withNewSecret().withSecretName("db-tls").endSecret().endVolume()
                .addNewContainer().withName("db").withImage("db:1").endContainer().endSpec().build());
        put("serviceaccounts", new ServiceAccountBuilder().withNewMetadata().withName("builder").withNamespace("ci")
                .withUid("sa-uid-1").endMetadata().build());
        put("rolebindings", new RoleBindingBuilder().withNewMetadata().withName("builder-edit").withNamespace("ci").endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "edit")
                .addNewSubject().withKind("ServiceAccount").withName("builder").withNamespace("ci").endSubject().build());
        grantAlice();

        access = AccessControl.start(store, AccessControlConfig.withDefaults(storage.saPub()));

        issuer = TokenIssuer.fromKeyFiles(storage.saKey(), storage.saPub(), TokenIssuer.DEFAULT_ISSUER);
        String saToken = issuer.issue(ServiceAccountToken.of("ci", "builder", "sa-uid-1"), List.of(TokenIssuer.DEFAULT_ISSUER), Duration.ofHours(1));
        identities = Map.of(
                "anonymous", Credentials.none(),
                "admin", cert("O=system:masters,CN=kubernetes-admin"),
                "node-n1", cert("O=system:nodes,CN=system:node:n1"),
                "bootstrap", Credentials.bearer("abcdef.0123456789abcdef"),
                "expired-bootstrap", Credentials.bearer("old000.0123456789abcdef"),
                "alice", cert("CN=alice"),
                "sa-builder", Credentials.bearer(saToken),
                "forged-token", Credentials.bearer(saToken.substring(0, saToken.length() - 4) + "AAAA"));
    }

    @AfterAll
    static void stopCluster() {
        if (access != null) {
            access.close();
        }
        if (storage != null) {
            storage.close();
        }
    }

    private static void grantAlice() {
        put("roles", new RoleBuilder().withNewMetadata().withName("pod-reader").withNamespace("team-a").endMetadata()
                .addNewRule().withApiGroups("").withResources("pods").withVerbs("get", "list", "watch").endRule().build());
        put("rolebindings", aliceBinding());
    }

    private static io.fabric8.kubernetes.api.model.rbac.RoleBinding aliceBinding() {
        return new RoleBindingBuilder().withNewMetadata().withName("alice-reads-pods").withNamespace("team-a").endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "Role", "pod-reader")
                .addNewSubject().withApiGroup("rbac.authorization.k8s.io").withKind("User").withName("alice").endSubject().build();
    }

    private static void put(String resource, HasMetadata object) {
        put(store, resource, object);
    }

    /** Stores a model object under its key, as the API server would (tests of auth write straight to etcd). */
    static StoredObject put(ObjectStore into, String resource, HasMetadata object) {
        var meta = object.getMetadata();
        return into.create(new ObjectKey(resource, meta.getNamespace() == null ? "" : meta.getNamespace(), meta.getName()), ModelJson.write(object));
    }

    private static Credentials cert(String subject) throws Exception {
        return Credentials.certificate(List.of(ClientCertificateAuthenticatorTest.certificate(subject)));
    }

    /** "unauthenticated" (401), "allow", or "deny" (403), as the API server would answer. */
    private static String outcome(String identity, String verb, String group, String resource, String sub, String namespace,
                                  String name, String fieldSelector) {
        Optional<UserInfo> user = access.authenticator().authenticate(identities.get(identity));
        if (user.isEmpty()) {
            return "unauthenticated";
        }
        var request = RequestAttributes.resource(user.get(), verb, group, "v1", resource, sub, namespace, name)
                .withFieldSelector(fieldSelector);
        return access.authorizer().authorize(request).allowed() ? "allow" : "deny";
    }

    @ParameterizedTest(name = "{0} {1} {2}/{3}/{4} in \"{5}\" named \"{6}\" selecting \"{7}\" -> {8}")
    @CsvSource(nullValues = "-", textBlock = """
            anonymous,         get,    '',                  pods,                       -,      shop,            web,    -,                unauthenticated
            forged-token,      get,    '',                  pods,                       -,      shop,            web,    -,                unauthenticated
            expired-bootstrap, create, certificates.k8s.io, certificatesigningrequests, -,      -,               -,      -,                unauthenticated
            admin,             delete, '',                  nodes,                      -,      -,               n2,     -,                allow
            admin,             create, rbac.authorization.k8s.io, clusterrolebindings,  -,      -,               -,      -,                allow
            admin,             get,    '',                  secrets,                    -,      kube-system,     x,      -,                allow
            node-n1,           patch,  '',                  nodes,                      status, -,               n1,     -,                allow
            node-n1,           patch,  '',                  nodes,                      status, -,               n2,     -,                deny
            node-n1,           get,    '',                  pods,                       -,      shop,            web,    -,                allow
            node-n1,           get,    '',                  pods,                       -,      shop,            db,     -,                deny
            node-n1,           watch,  '',                  pods,                       -,      -,               -,      spec.nodeName=n1, allow
            node-n1,           watch,  '',                  pods,                       -,      -,               -,      spec.nodeName=n2, deny
            node-n1,           list,   '',                  pods,                       -,      -,               -,      -,                deny
            node-n1,           update, '',                  pods,                       status, shop,            web,    -,                allow
            node-n1,           update, '',                  pods,                       status, shop,            db,     -,                deny
            node-n1,           get,    '',                  secrets,                    -,      shop,            web-tls, -,               allow
            node-n1,           get,    '',                  secrets,                    -,      shop,            db-tls, -,                deny
            node-n1,           update, coordination.k8s.io, leases,                     -,      kube-node-lease, n1,     -,                allow
            node-n1,           update, coordination.k8s.io, leases,                     -,      kube-node-lease, n2,     -,                deny
            node-n1,           list,   '',                  services,                   -,      -,               -,      -,                allow
            node-n1,           create, '',                  namespaces,                 -,      -,               -,      -,                deny
            bootstrap,         create, certificates.k8s.io, certificatesigningrequests, -,      -,               -,      -,                allow
            bootstrap,         watch,  certificates.k8s.io, certificatesigningrequests, -,      -,               -,      -,                allow
            bootstrap,         update, certificates.k8s.io, certificatesigningrequests, approval, -,             c1,     -,                deny
            bootstrap,         get,    '',                  nodes,                      -,      -,               n1,     -,                deny
            bootstrap,         list,   '',                  secrets,                    -,      kube-system,     -,      -,                deny
            alice,             list,   '',                  pods,                       -,      team-a,          -,      -,                allow
            alice,             get,    '',                  pods,                       -,      team-a,          p,      -,                allow
            alice,             delete, '',                  pods,                       -,      team-a,          p,      -,                deny
            alice,             get,    '',                  pods,                       -,      team-b,          p,      -,                deny
            alice,             get,    '',                  configmaps,                 -,      team-a,          c,      -,                deny
            sa-builder,        create, apps,                deployments,                -,      ci,              -,      -,                allow
            sa-builder,        get,    '',                  secrets,                    -,      ci,              s,      -,                allow
            sa-builder,        create, apps,                deployments,                -,      default,         -,      -,                deny
            sa-builder,        create, rbac.authorization.k8s.io, rolebindings,         -,      ci,              -,      -,                deny
            """)
    void eachIdentityMayDoExactlyWhatItsPolicyAllows(String identity, String verb, String group, String resource, String sub,
                                                     String namespace, String name, String fieldSelector, String expected) {
        assertThat(outcome(identity, verb, group, resource, sub, namespace, name, fieldSelector)).isEqualTo(expected);
    }

    @Test
    void everyAuthenticatedUserMayReadDiscoveryAndVersion() throws Exception {
        UserInfo alice = access.authenticator().authenticate(identities.get("alice")).orElseThrow();

        assertThat(access.authorizer().authorize(RequestAttributes.nonResource(alice, "get", "/apis/apps/v1")).allowed()).isTrue();
        assertThat(access.authorizer().authorize(RequestAttributes.nonResource(alice, "get", "/version")).allowed()).isTrue();
        assertThat(access.authorizer().authorize(RequestAttributes.nonResource(alice, "get", "/metrics")).allowed()).isFalse();
    }

    @Test
    void aNewBindingTakesEffectAndARemovedOneIsRevoked() {
        var binding = new RoleBindingBuilder().withNewMetadata().withName("carol-views").withNamespace("team-c").endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "view")
                .addNewSubject().withKind("User").withName("carol").endSubject().build();
        UserInfo carol = UserInfo.of("carol", List.of());
        var listPods = RequestAttributes.resource(carol, "list", "", "v1", "pods", "", "team-c", "");
        assertThat(access.authorizer().authorize(listPods).allowed()).isFalse();

        put("rolebindings", binding);
        await().atMost(Duration.ofSeconds(10)).until(() -> access.authorizer().authorize(listPods).allowed());

        store.delete(new ObjectKey("rolebindings", "team-c", "carol-views"), OptionalLong.empty());
        await().atMost(Duration.ofSeconds(10)).until(() -> !access.authorizer().authorize(listPods).allowed());
    }

    @Test
    void aChangedBindingMovesTheGrantToItsNewSubject() {
        var binding = new RoleBindingBuilder().withNewMetadata().withName("on-call").withNamespace("team-d").endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "view")
                .addNewSubject().withKind("User").withName("dave").endSubject().build();
        var daveLists = RequestAttributes.resource(UserInfo.of("dave", List.of()), "list", "", "v1", "pods", "", "team-d", "");
        var erinLists = RequestAttributes.resource(UserInfo.of("erin", List.of()), "list", "", "v1", "pods", "", "team-d", "");
        put("rolebindings", binding);
        await().atMost(Duration.ofSeconds(10)).until(() -> access.authorizer().authorize(daveLists).allowed());

        binding.getSubjects().getFirst().setName("erin");
        var key = new ObjectKey("rolebindings", "team-d", "on-call");
        store.update(key, store.get(key).orElseThrow().modRevision(), ModelJson.write(binding));

        await().atMost(Duration.ofSeconds(10)).until(() -> access.authorizer().authorize(erinLists).allowed());
        assertThat(access.authorizer().authorize(daveLists).allowed()).isFalse();
    }

    @Test
    void aClusterRoleBindingForAGroupTakesEffectAndItsRemovalRevokes() {
        var binding = new io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder()
                .withNewMetadata().withName("auditors-view").endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "view")
                .addNewSubject().withKind("Group").withName("auditors").endSubject().build();
        var auditorLists = RequestAttributes.resource(UserInfo.of("frank", List.of("auditors")), "list", "", "v1", "configmaps", "", "any", "");
        assertThat(access.authorizer().authorize(auditorLists).allowed()).isFalse();

        put("clusterrolebindings", binding);
        await().atMost(Duration.ofSeconds(10)).until(() -> access.authorizer().authorize(auditorLists).allowed());

        store.delete(ObjectKey.clusterScoped("clusterrolebindings", "auditors-view"), OptionalLong.empty());
        await().atMost(Duration.ofSeconds(10)).until(() -> !access.authorizer().authorize(auditorLists).allowed());
    }

    @Test
    void anAdminKeepsEveryRightWhenTheClusterAdminBindingIsDeleted() throws Exception {
        // Given: a probe group bound to cluster-admin, seen by the authorizer
        var clusterAdmin = ObjectKey.clusterScoped("clusterrolebindings", "cluster-admin");
        byte[] saved = store.get(clusterAdmin).orElseThrow().json();
        put("clusterrolebindings", new io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder()
                .withNewMetadata().withName("probe-admin").endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "cluster-admin")
                .addNewSubject().withKind("Group").withName("probes").endSubject().build());
        var probeDeletesNodes = RequestAttributes.resource(UserInfo.of("probe", List.of("probes")), "delete", "", "v1", "nodes", "", "", "n1");
        await().atMost(Duration.ofSeconds(10)).until(() -> access.authorizer().authorize(probeDeletesNodes).allowed());
        try {
            // When: the cluster-admin binding goes, then the probe's; the probe's loss shows both were seen (one watch, in order)
            store.delete(clusterAdmin, OptionalLong.empty());
            store.delete(ObjectKey.clusterScoped("clusterrolebindings", "probe-admin"), OptionalLong.empty());
            await().atMost(Duration.ofSeconds(10)).until(() -> !access.authorizer().authorize(probeDeletesNodes).allowed());

            // Then: system:masters still may do anything, as in Kubernetes
            UserInfo admin = access.authenticator().authenticate(identities.get("admin")).orElseThrow();
            assertThat(access.authorizer().authorize(RequestAttributes.resource(admin, "delete", "", "v1", "nodes", "", "", "n1")).allowed())
                    .isTrue();
            assertThat(access.authorizer().authorize(RequestAttributes.resource(admin, "create", "rbac.authorization.k8s.io", "v1",
                    "clusterrolebindings", "", "", "")).allowed()).isTrue();
        } finally {
            store.create(clusterAdmin, saved);
        }
    }

    @Test
    void aPodNewlyBoundToTheNodeOpensItsSecretsToThatNode() throws Exception {
        UserInfo node = access.authenticator().authenticate(identities.get("node-n1")).orElseThrow();
        var getSecret = RequestAttributes.resource(node, "get", "", "v1", "secrets", "", "shop", "cache-tls");
        assertThat(access.authorizer().authorize(getSecret).allowed()).isFalse();

        put("pods", new PodBuilder().withNewMetadata().withName("cache").withNamespace("shop").endMetadata()
                .withNewSpec().withNodeName("n1")
                .addNewVolume().withName("tls").withNewSecret().withSecretName("cache-tls").endSecret().endVolume()
                .addNewContainer().withName("cache").withImage("cache:1").endContainer().endSpec().build());

        await().atMost(Duration.ofSeconds(10)).until(() -> access.authorizer().authorize(getSecret).allowed());
    }

    @Test
    void aDeletedServiceAccountsTokenStopsAuthenticating() {
        put("serviceaccounts", new ServiceAccountBuilder().withNewMetadata().withName("short-lived").withNamespace("ci")
                .withUid("sa-uid-9").endMetadata().build());
        var token = Credentials.bearer(issuer.issue(ServiceAccountToken.of("ci", "short-lived", "sa-uid-9"),
                List.of(TokenIssuer.DEFAULT_ISSUER), Duration.ofHours(1)));
        await().atMost(Duration.ofSeconds(10)).until(() -> access.authenticator().authenticate(token).isPresent());

        store.delete(new ObjectKey("serviceaccounts", "ci", "short-lived"), OptionalLong.empty());

        await().atMost(Duration.ofSeconds(10)).until(() -> access.authenticator().authenticate(token).isEmpty());
    }

    @Test
    void theDefaultPolicyIsWrittenOnceAndAnOperatorsChangeIsKept() {
        var key = ObjectKey.clusterScoped("clusterroles", "view");
        ClusterRole view = ModelJson.read(store.get(key).orElseThrow().json(), ClusterRole.class);
        view.getRules().removeLast();
        var stored = store.get(key).orElseThrow();
        store.update(key, stored.modRevision(), ModelJson.write(view));

        int created = DefaultPolicy.ensure(store);

        assertThat(created).isZero();
        assertThat(ModelJson.read(store.get(key).orElseThrow().json(), ClusterRole.class).getRules()).isEqualTo(view.getRules());
        assertThat(store.get(ObjectKey.clusterScoped("clusterrolebindings", "cluster-admin"))).isPresent();
    }
}
