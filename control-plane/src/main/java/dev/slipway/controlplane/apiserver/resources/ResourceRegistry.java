package dev.slipway.controlplane.apiserver.resources;

import dev.slipway.controlplane.apiserver.core.ApiError.Cause;
import dev.slipway.controlplane.apiserver.resources.ResourceDescriptor.Defaulter;
import dev.slipway.controlplane.apiserver.resources.ResourceDescriptor.Validator;
import dev.slipway.controlplane.apiserver.resources.Validation.NameRule;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The resources this API server serves, looked up by group, version and plural (or kind). */
public final class ResourceRegistry {

    private final List<ResourceDescriptor> resources;
    private final Map<String, ResourceDescriptor> byPath = new LinkedHashMap<>();

    public ResourceRegistry(List<ResourceDescriptor> resources) {
        this.resources = List.copyOf(resources);
        for (ResourceDescriptor resource : resources) {
            byPath.put(resource.groupVersion() + "/" + resource.plural(), resource);
        }
    }

    /** The built-in resources of the Slipway API server. */
    public static ResourceRegistry builtIn() {
        List<ResourceDescriptor> all = new ArrayList<>();
        List<String> all_ = List.of("all");
        // core/v1
        all.add(resource("", "Namespace", "namespaces", List.of("ns"), false, Set.of("status", "finalize"), Namespace.class,
                List.of(), Columns.namespaces(), Defaults::namespace, NameRule.LABEL, Validation::none));
        all.add(resource("", "Pod", "pods", List.of("po"), true, Set.of("status", "binding", "eviction"), Pod.class,
                all_, Columns.pods(), Defaults::pod, NameRule.SUBDOMAIN, Validation::pod));
        all.add(resource("", "Node", "nodes", List.of("no"), false, Set.of("status"), Node.class,
                List.of(), Columns.nodes(), Defaults::none, NameRule.SUBDOMAIN, Validation::none));
        all.add(resource("", "Service", "services", List.of("svc"), true, Set.of("status"), Service.class,
                all_, Columns.services(), Defaults::service, NameRule.LABEL, Validation::service));
        all.add(resource("", "Endpoints", "endpoints", List.of("ep"), true, Set.of(), Endpoints.class,
                List.of(), Columns.endpoints(), Defaults::none, NameRule.SUBDOMAIN, Validation::none));
        all.add(resource("", "ConfigMap", "configmaps", List.of("cm"), true, Set.of(), ConfigMap.class,
                List.of(), Columns.configMaps(), Defaults::none, NameRule.SUBDOMAIN, Validation::configMap));
        all.add(resource("", "Secret", "secrets", List.of(), true, Set.of(), Secret.class,
                List.of(), Columns.secrets(), Defaults::secret, NameRule.SUBDOMAIN, Validation::secret));
        all.add(resource("", "ServiceAccount", "serviceaccounts", List.of("sa"), true, Set.of("token"), ServiceAccount.class,
                List.of(), Columns.serviceAccounts(), Defaults::none, NameRule.SUBDOMAIN, Validation::none));
        all.add(resource("", "Event", "events", List.of("ev"), true, Set.of(), Event.class,
                List.of(), Columns.events(), Defaults::none, NameRule.SUBDOMAIN, Validation::none));
        all.add(resource("", "PersistentVolume", "persistentvolumes", List.of("pv"), false, Set.of("status"), PersistentVolume.class,
                List.of(), Columns.persistentVolumes(), Defaults::persistentVolume, NameRule.SUBDOMAIN, Validation::none));
        all.add(resource("", "PersistentVolumeClaim", "persistentvolumeclaims", List.of("pvc"), true, Set.of("status"),
                PersistentVolumeClaim.class, List.of(), Columns.persistentVolumeClaims(), Defaults::persistentVolumeClaim,
                NameRule.SUBDOMAIN, Validation::none));
        // apps/v1
        all.add(resource("apps", "Deployment", "deployments", List.of("deploy"), true, Set.of("status", "scale"), Deployment.class,
                all_, Columns.deployments(), Defaults::deployment, NameRule.SUBDOMAIN, object -> Validation.workload(object, true)));
        all.add(resource("apps", "ReplicaSet", "replicasets", List.of("rs"), true, Set.of("status", "scale"), ReplicaSet.class,
                all_, Columns.replicaSets(), Defaults::replicaSet, NameRule.SUBDOMAIN, object -> Validation.workload(object, true)));
        all.add(resource("apps", "StatefulSet", "statefulsets", List.of("sts"), true, Set.of("status", "scale"), StatefulSet.class,
                all_, Columns.statefulSets(), Defaults::statefulSet, NameRule.SUBDOMAIN, object -> Validation.workload(object, true)));
        all.add(resource("apps", "DaemonSet", "daemonsets", List.of("ds"), true, Set.of("status"), DaemonSet.class,
                all_, Columns.daemonSets(), Defaults::daemonSet, NameRule.SUBDOMAIN, object -> Validation.workload(object, false)));
        // networking.k8s.io/v1
        all.add(resource("networking.k8s.io", "Ingress", "ingresses", List.of("ing"), true, Set.of("status"), Ingress.class,
                List.of(), Columns.ingresses(), Defaults::none, NameRule.SUBDOMAIN, Validation::ingress));
        all.add(resource("networking.k8s.io", "IngressClass", "ingressclasses", List.of(), false, Set.of(), IngressClass.class,
                List.of(), Columns.ingressClasses(), Defaults::none, NameRule.SUBDOMAIN, Validation::none));
        // discovery.k8s.io/v1, coordination.k8s.io/v1, certificates.k8s.io/v1
        all.add(resource("discovery.k8s.io", "EndpointSlice", "endpointslices", List.of(), true, Set.of(), EndpointSlice.class,
                List.of(), Columns.endpointSlices(), Defaults::none, NameRule.SUBDOMAIN, Validation::none));
        all.add(resource("coordination.k8s.io", "Lease", "leases", List.of(), true, Set.of(), Lease.class,
                List.of(), Columns.leases(), Defaults::none, NameRule.SUBDOMAIN, Validation::none));
        all.add(resource("certificates.k8s.io", "CertificateSigningRequest", "certificatesigningrequests", List.of("csr"), false,
                Set.of("status", "approval"), CertificateSigningRequest.class, List.of(), Columns.certificateSigningRequests(),
                Defaults::none, NameRule.SUBDOMAIN, Validation::certificateSigningRequest));
        // rbac.authorization.k8s.io/v1
        String rbac = "rbac.authorization.k8s.io";
        all.add(resource(rbac, "Role", "roles", List.of(), true, Set.of(), Role.class,
                List.of(), Columns.createdAt(), Defaults::none, NameRule.PATH_SEGMENT, Validation::none));
        all.add(resource(rbac, "ClusterRole", "clusterroles", List.of(), false, Set.of(), ClusterRole.class,
                List.of(), Columns.createdAt(), Defaults::none, NameRule.PATH_SEGMENT, Validation::none));
        all.add(resource(rbac, "RoleBinding", "rolebindings", List.of(), true, Set.of(), RoleBinding.class,
                List.of(), Columns.roleBindings(), Defaults::none, NameRule.PATH_SEGMENT, Validation::binding));
        all.add(resource(rbac, "ClusterRoleBinding", "clusterrolebindings", List.of(), false, Set.of(), ClusterRoleBinding.class,
                List.of(), Columns.roleBindings(), Defaults::none, NameRule.PATH_SEGMENT, Validation::binding));
        // storage.k8s.io/v1
        all.add(resource("storage.k8s.io", "StorageClass", "storageclasses", List.of("sc"), false, Set.of(), StorageClass.class,
                List.of(), Columns.storageClasses(), Defaults::storageClass, NameRule.SUBDOMAIN, Validation::none));
        return new ResourceRegistry(all);
    }

    private static ResourceDescriptor resource(String group, String kind, String plural, List<String> shortNames,
                                               boolean namespaced, Set<String> subresources, Class<?> model,
                                               List<String> categories, List<TableColumn> columns, Defaulter defaulter,
                                               NameRule names, Validator validator) {
        Validator full = object -> {
            List<Cause> causes = new ArrayList<>(Validation.metadata(object, names));
            causes.addAll(validator.validate(object));
            return causes;
        };
        return new ResourceDescriptor(group, "v1", kind, plural, kind.toLowerCase(), shortNames, namespaced,
                ResourceDescriptor.ALL_VERBS, subresources, model, categories, columns, defaulter, full);
    }

    public List<ResourceDescriptor> all() {
        return resources;
    }

    public Optional<ResourceDescriptor> find(String group, String version, String plural) {
        return Optional.ofNullable(byPath.get((group.isEmpty() ? version : group + "/" + version) + "/" + plural));
    }

    public Optional<ResourceDescriptor> findKind(String apiVersion, String kind) {
        return resources.stream().filter(r -> r.apiVersion().equals(apiVersion) && r.kind().equals(kind)).findFirst();
    }

    /** The groups in the order discovery lists them, core ("") first. */
    public Set<String> groups() {
        Set<String> groups = new LinkedHashSet<>();
        resources.forEach(resource -> groups.add(resource.group()));
        return groups;
    }

    public List<ResourceDescriptor> inGroupVersion(String group, String version) {
        return resources.stream().filter(r -> r.group().equals(group) && r.version().equals(version)).toList();
    }
}
