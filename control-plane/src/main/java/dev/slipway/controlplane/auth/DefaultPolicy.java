package dev.slipway.controlplane.auth;

import dev.slipway.controlplane.storage.ObjectKey;
import dev.slipway.controlplane.storage.ObjectStore;
import dev.slipway.controlplane.storage.StorageException;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.SubjectBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The roles and bindings every cluster starts with, after Kubernetes' bootstrap policy. Written at
 * API server start where missing; an object that exists is left as the operator made it.
 * Left out of Kubernetes' set: aggregation of admin/edit/view, the per-controller roles (one
 * controller-manager identity holds them all), and the many narrower system:* roles.
 */
final class DefaultPolicy {

    static final String UNAUTHENTICATED = "system:unauthenticated";
    private static final String RBAC = "rbac.authorization.k8s.io";
    private static final List<String> READ = List.of("get", "list", "watch");
    private static final List<String> WRITE = List.of("create", "delete", "deletecollection", "patch", "update");
    private static final List<String> ALL_VERBS = List.of("get", "list", "watch", "create", "delete", "deletecollection", "patch", "update");
    private static final List<String> DISCOVERY_URLS = List.of("/api", "/api/*", "/apis", "/apis/*", "/openapi", "/openapi/*",
            "/healthz", "/livez", "/readyz", "/version", "/version/");
    private static final List<String> PUBLIC_URLS = List.of("/healthz", "/livez", "/readyz", "/version", "/version/");

    private DefaultPolicy() {
    }

    static List<ClusterRole> clusterRoles() {
        return List.of(
                role("cluster-admin",
                        resources(List.of("*"), List.of("*"), List.of("*")),
                        urls(List.of("*"), List.of("*"))),
                role("admin", concat(workloadRules(ALL_VERBS), List.of(
                        resources(List.of(RBAC), List.of("roles", "rolebindings"), ALL_VERBS),
                        resources(List.of("authorization.k8s.io"), List.of("localsubjectaccessreviews"), List.of("create"))))),
                role("edit", workloadRules(ALL_VERBS)),
                role("view", viewRules()),
                role("system:node-bootstrapper",
                        resources(List.of("certificates.k8s.io"), List.of("certificatesigningrequests"), List.of("create", "get", "list", "watch"))),
                role("system:kube-scheduler",
                        resources(List.of("", "events.k8s.io"), List.of("events"), List.of("create", "patch", "update")),
                        // patch: fabric8's LeaseLock acquires and renews the lease with a PATCH.
                        resources(List.of("coordination.k8s.io"), List.of("leases"), List.of("create", "get", "update", "patch")),
                        resources(List.of(""), List.of("nodes", "namespaces", "services", "replicationcontrollers",
                                "persistentvolumes", "persistentvolumeclaims"), READ),
                        resources(List.of(""), List.of("pods"), List.of("get", "list", "watch", "delete")),
                        resources(List.of(""), List.of("bindings", "pods/binding"), List.of("create")),
                        resources(List.of(""), List.of("pods/status"), List.of("patch", "update")),
                        resources(List.of("apps"), List.of("replicasets", "statefulsets"), READ),
                        resources(List.of("storage.k8s.io"), List.of("storageclasses", "csinodes"), READ)),
                role("system:kube-controller-manager",
                        resources(List.of("", "apps", "batch", "policy", "autoscaling", "discovery.k8s.io", "networking.k8s.io",
                                "coordination.k8s.io", "events.k8s.io", "storage.k8s.io"), List.of("*"), List.of("*")),
                        resources(List.of("certificates.k8s.io"), List.of("certificatesigningrequests",
                                "certificatesigningrequests/approval", "certificatesigningrequests/status"), ALL_VERBS),
                        resources(List.of("certificates.k8s.io"), List.of("signers"), List.of("approve", "sign")),
                        resources(List.of(RBAC), List.of("*"), READ)),
                // Slipway's agent runs the service proxy and ingress with its node identity.
                role("system:node-proxier",
                        resources(List.of(""), List.of("services", "endpoints", "nodes"), READ),
                        resources(List.of("discovery.k8s.io"), List.of("endpointslices"), READ),
                        resources(List.of("networking.k8s.io"), List.of("ingresses", "ingressclasses"), READ),
                        resources(List.of("", "events.k8s.io"), List.of("events"), List.of("create", "patch", "update"))),
                role("system:discovery", urls(DISCOVERY_URLS, List.of("get"))),
                role("system:basic-user",
                        resources(List.of("authorization.k8s.io"), List.of("selfsubjectaccessreviews", "selfsubjectrulesreviews"), List.of("create")),
                        resources(List.of("authentication.k8s.io"), List.of("selfsubjectreviews"), List.of("create"))),
                role("system:public-info-viewer", urls(PUBLIC_URLS, List.of("get"))));
    }

    static List<ClusterRoleBinding> clusterRoleBindings() {
        return List.of(
                binding("cluster-admin", "cluster-admin", group(UserInfo.MASTERS)),
                binding("system:kube-scheduler", "system:kube-scheduler", user("system:kube-scheduler")),
                binding("system:kube-controller-manager", "system:kube-controller-manager", user("system:kube-controller-manager")),
                binding("system:node-bootstrapper", "system:node-bootstrapper", group(BootstrapTokenAuthenticator.BOOTSTRAPPERS)),
                binding("system:node-proxier", "system:node-proxier", group(NodeAuthorizer.NODES_GROUP)),
                binding("system:discovery", "system:discovery", group(UserInfo.AUTHENTICATED)),
                binding("system:basic-user", "system:basic-user", group(UserInfo.AUTHENTICATED)),
                binding("system:public-info-viewer", "system:public-info-viewer", group(UserInfo.AUTHENTICATED), group(UNAUTHENTICATED)));
    }

    /** Creates each default role and binding that is missing; returns how many it created. */
    static int ensure(ObjectStore store) {
        int created = 0;
        for (ClusterRole role : clusterRoles()) {
            created += createIfMissing(store, ObjectKey.clusterScoped("clusterroles", role.getMetadata().getName()), role);
        }
        for (ClusterRoleBinding binding : clusterRoleBindings()) {
            created += createIfMissing(store, ObjectKey.clusterScoped("clusterrolebindings", binding.getMetadata().getName()), binding);
        }
        return created;
    }

    private static int createIfMissing(ObjectStore store, ObjectKey key, HasMetadata object) {
        if (store.get(key).isPresent()) {
            return 0;
        }
        object.getMetadata().setUid(UUID.randomUUID().toString());
        object.getMetadata().setCreationTimestamp(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        try {
            store.create(key, ModelJson.write(object));
            return 1;
        } catch (StorageException.AlreadyExists raced) {
            return 0; // another API server wrote it first
        }
    }

    private static List<PolicyRule> workloadRules(List<String> verbs) {
        return List.of(
                resources(List.of(""), List.of("pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "pods/log",
                        "pods/status", "pods/eviction", "services", "services/proxy", "endpoints", "persistentvolumeclaims",
                        "configmaps", "secrets", "serviceaccounts", "serviceaccounts/token", "replicationcontrollers",
                        "replicationcontrollers/scale"), verbs),
                resources(List.of(""), List.of("events", "namespaces", "namespaces/status", "limitranges", "resourcequotas",
                        "persistentvolumeclaims/status", "services/status"), READ),
                resources(List.of("apps"), List.of("deployments", "deployments/scale", "deployments/status", "replicasets",
                        "replicasets/scale", "replicasets/status", "statefulsets", "statefulsets/scale", "statefulsets/status",
                        "daemonsets", "daemonsets/status", "controllerrevisions"), verbs),
                resources(List.of("batch"), List.of("jobs", "cronjobs"), verbs),
                resources(List.of("autoscaling"), List.of("horizontalpodautoscalers"), verbs),
                resources(List.of("policy"), List.of("poddisruptionbudgets"), verbs),
                resources(List.of("networking.k8s.io"), List.of("ingresses", "ingresses/status", "networkpolicies"), verbs),
                resources(List.of("discovery.k8s.io"), List.of("endpointslices"), READ),
                resources(List.of("coordination.k8s.io"), List.of("leases"), verbs));
    }

    private static List<PolicyRule> viewRules() {
        // view never reads Secrets, as in Kubernetes: a secret's reader can act as its owner.
        return List.of(
                resources(List.of(""), List.of("pods", "pods/log", "pods/status", "services", "services/status", "endpoints",
                        "persistentvolumeclaims", "persistentvolumeclaims/status", "configmaps", "serviceaccounts",
                        "replicationcontrollers", "replicationcontrollers/scale", "events", "namespaces", "namespaces/status",
                        "limitranges", "resourcequotas"), READ),
                resources(List.of("apps"), List.of("deployments", "deployments/scale", "deployments/status", "replicasets",
                        "replicasets/scale", "replicasets/status", "statefulsets", "statefulsets/scale", "statefulsets/status",
                        "daemonsets", "daemonsets/status", "controllerrevisions"), READ),
                resources(List.of("batch"), List.of("jobs", "cronjobs"), READ),
                resources(List.of("autoscaling"), List.of("horizontalpodautoscalers"), READ),
                resources(List.of("policy"), List.of("poddisruptionbudgets"), READ),
                resources(List.of("networking.k8s.io"), List.of("ingresses", "ingresses/status", "networkpolicies"), READ),
                resources(List.of("discovery.k8s.io"), List.of("endpointslices"), READ));
    }

    private static PolicyRule resources(List<String> groups, List<String> resources, List<String> verbs) {
        return new PolicyRuleBuilder().withApiGroups(groups).withResources(resources).withVerbs(verbs).build();
    }

    private static PolicyRule urls(List<String> urls, List<String> verbs) {
        return new PolicyRuleBuilder().withNonResourceURLs(urls).withVerbs(verbs).build();
    }

    private static ClusterRole role(String name, PolicyRule... rules) {
        return role(name, List.of(rules));
    }

    private static ClusterRole role(String name, List<PolicyRule> rules) {
        return new ClusterRoleBuilder().withMetadata(defaultsMeta(name)).withRules(rules).build();
    }

    private static ClusterRoleBinding binding(String name, String role, io.fabric8.kubernetes.api.model.rbac.Subject... subjects) {
        return new ClusterRoleBindingBuilder().withMetadata(defaultsMeta(name))
                .withNewRoleRef(RBAC, "ClusterRole", role)
                .withSubjects(subjects)
                .build();
    }

    private static io.fabric8.kubernetes.api.model.rbac.Subject group(String name) {
        return new SubjectBuilder().withApiGroup(RBAC).withKind("Group").withName(name).build();
    }

    private static io.fabric8.kubernetes.api.model.rbac.Subject user(String name) {
        return new SubjectBuilder().withApiGroup(RBAC).withKind("User").withName(name).build();
    }

    private static ObjectMeta defaultsMeta(String name) {
        var meta = new ObjectMeta();
        meta.setName(name);
        meta.setLabels(Map.of("kubernetes.io/bootstrapping", "rbac-defaults"));
        meta.setAnnotations(Map.of("rbac.authorization.kubernetes.io/autoupdate", "true"));
        return meta;
    }

    private static <T> List<T> concat(List<T> first, List<T> second) {
        var all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }
}
