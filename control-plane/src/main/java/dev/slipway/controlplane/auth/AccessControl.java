package dev.slipway.controlplane.auth;

import dev.slipway.controlplane.storage.ObjectKey;
import dev.slipway.controlplane.storage.ObjectStore;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Authentication and authorization of one API server, the auth package's front door. {@link #start}
 * writes the default RBAC policy where it is missing and starts watch-driven caches of the objects
 * that decisions read (bootstrap-token Secrets, ServiceAccounts, Pods, CSRs, RBAC objects).
 * <p>Authenticators, in order: client certificate, bootstrap token, service-account token.
 * Authorizers, in order: node, RBAC; nobody allowing denies.
 */
public final class AccessControl implements AutoCloseable {

    private final List<AutoCloseable> caches;
    private final Authenticator authenticator;
    private final Authorizer authorizer;

    private AccessControl(List<AutoCloseable> caches, Authenticator authenticator, Authorizer authorizer) {
        this.caches = caches;
        this.authenticator = authenticator;
        this.authorizer = authorizer;
    }

    public static AccessControl start(ObjectStore store, AccessControlConfig config) {
        DefaultPolicy.ensure(store);
        var caches = new ArrayList<AutoCloseable>();
        try {
            var bootstrapSecrets = track(caches, ResourceCache.start(store, "secrets", Optional.of(BootstrapTokenAuthenticator.NAMESPACE),
                    ModelJson.reader(Secret.class), key -> key.name().startsWith(BootstrapTokenAuthenticator.SECRET_PREFIX)));
            var serviceAccounts = track(caches, ResourceCache.start(store, "serviceaccounts", ServiceAccount.class));
            var pods = track(caches, ResourceCache.start(store, "pods", Optional.empty(), PodReferences::read, key -> true));
            var csrs = track(caches, ResourceCache.start(store, "certificatesigningrequests", CertificateSigningRequest.class));
            var clusterRoles = track(caches, ResourceCache.start(store, "clusterroles", ClusterRole.class));
            var clusterRoleBindings = track(caches, ResourceCache.start(store, "clusterrolebindings", ClusterRoleBinding.class));
            var roles = track(caches, ResourceCache.start(store, "roles", Role.class));
            var roleBindings = track(caches, ResourceCache.start(store, "rolebindings", RoleBinding.class));

            Clock clock = Clock.systemUTC();
            Authenticator authenticator = new UnionAuthenticator(List.of(
                    new ClientCertificateAuthenticator(),
                    new BootstrapTokenAuthenticator(bootstrapSecrets::get, clock),
                    new ServiceAccountTokenAuthenticator(ServiceAccountKeys.readPublic(config.serviceAccountPublicKey()),
                            Set.copyOf(config.issuers()), Set.copyOf(config.audiences()), serviceAccounts::getOrRead, pods::getOrRead, clock)));
            Authorizer authorizer = new UnionAuthorizer(List.of(
                    new SystemMastersAuthorizer(),
                    new NodeAuthorizer(new CachedNodeObjects(pods, csrs), new StoredNodeObjects(store)),
                    new RbacAuthorizer(new CachedRbacPolicy(clusterRoles, clusterRoleBindings, roles, roleBindings))));
            return new AccessControl(caches, authenticator, authorizer);
        } catch (RuntimeException e) {
            closeAll(caches);
            throw e;
        }
    }

    public Authenticator authenticator() {
        return authenticator;
    }

    public Authorizer authorizer() {
        return authorizer;
    }

    @Override
    public void close() {
        closeAll(caches);
    }

    private static <T extends AutoCloseable> T track(List<AutoCloseable> caches, T cache) {
        caches.add(cache);
        return cache;
    }

    private static void closeAll(List<AutoCloseable> caches) {
        for (AutoCloseable cache : caches) {
            try {
                cache.close();
            } catch (Exception ignored) {
                // closing a watch never fails in a way the caller could act on
            }
        }
    }

    private record CachedNodeObjects(ResourceCache<PodReferences> pods, ResourceCache<CertificateSigningRequest> csrs) implements NodeObjects {
        @Override
        public Collection<PodReferences> podsOn(String node, String namespace) {
            return pods.values().stream().filter(pod -> pod.boundTo(node) && pod.namespace().equals(namespace)).toList();
        }

        @Override
        public Optional<PodReferences> pod(String namespace, String name) {
            return namespace.isEmpty() || name.isEmpty() ? Optional.empty() : pods.get(new ObjectKey("pods", namespace, name));
        }

        @Override
        public Optional<CertificateSigningRequest> certificateSigningRequest(String name) {
            return name.isEmpty() ? Optional.empty() : csrs.get(ObjectKey.clusterScoped("certificatesigningrequests", name));
        }
    }

    /** The RBAC caches, with the bindings indexed by subject; the index is built again when a binding cache has changed. */
    private static final class CachedRbacPolicy implements RbacPolicy {
        private record Indexed(long clusterBindingChanges, long roleBindingChanges, BindingIndex index) {
        }

        private final ResourceCache<ClusterRole> clusterRoles;
        private final ResourceCache<ClusterRoleBinding> clusterBindings;
        private final ResourceCache<Role> roles;
        private final ResourceCache<RoleBinding> roleBindings;
        private volatile Indexed indexed = new Indexed(-1, -1, BindingIndex.of(List.of(), List.of()));

        CachedRbacPolicy(ResourceCache<ClusterRole> clusterRoles, ResourceCache<ClusterRoleBinding> clusterBindings,
                         ResourceCache<Role> roles, ResourceCache<RoleBinding> roleBindings) {
            this.clusterRoles = clusterRoles;
            this.clusterBindings = clusterBindings;
            this.roles = roles;
            this.roleBindings = roleBindings;
        }

        @Override
        public Collection<ClusterRoleBinding> clusterRoleBindingsNaming(UserInfo user) {
            return index().clusterRoleBindingsNaming(user);
        }

        @Override
        public Collection<RoleBinding> roleBindingsNaming(String namespace, UserInfo user) {
            return index().roleBindingsNaming(namespace, user);
        }

        @Override
        public Optional<ClusterRole> clusterRole(String name) {
            return clusterRoles.get(ObjectKey.clusterScoped("clusterroles", name));
        }

        @Override
        public Optional<Role> role(String namespace, String name) {
            return roles.get(new ObjectKey("roles", namespace, name));
        }

        private BindingIndex index() {
            Indexed current = indexed;
            // Counts first, values second: a change made in between only makes the next request index again.
            long clusterChanges = clusterBindings.changes();
            long roleChanges = roleBindings.changes();
            if (current.clusterBindingChanges() == clusterChanges && current.roleBindingChanges() == roleChanges) {
                return current.index();
            }
            Indexed fresh = new Indexed(clusterChanges, roleChanges, BindingIndex.of(clusterBindings.values(), roleBindings.values()));
            indexed = fresh;
            return fresh.index();
        }
    }
}
