package dev.slipway.controlplane.auth;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What a kubelet may do with its node identity ({@code system:node:<name>} in {@code system:nodes}):
 * its own Node and Lease, the pods bound to it and the objects those pods reference, events, and
 * its own certificate signing requests. Anything else is left to the next authorizer.
 */
final class NodeAuthorizer implements Authorizer {

    static final String NODES_GROUP = "system:nodes";
    static final String NODE_USER_PREFIX = "system:node:";
    static final String LEASE_NAMESPACE = "kube-node-lease";
    private static final Set<String> READ_ONE = Set.of("get");
    private static final Set<String> READ_MANY = Set.of("list", "watch");
    private static final Set<String> WRITE = Set.of("update", "patch");

    private final NodeObjects objects;

    NodeAuthorizer(NodeObjects objects) {
        this.objects = objects;
    }

    @Override
    public Decision authorize(RequestAttributes request) {
        Optional<String> node = nodeName(request.user());
        if (node.isEmpty() || !request.resourceRequest()) {
            return Decision.noOpinion();
        }
        return allowed(node.get(), request) ? Decision.allow() : Decision.noOpinion();
    }

    private boolean allowed(String node, RequestAttributes request) {
        String verb = request.verb();
        String sub = request.subresource();
        return switch (request.apiGroup() + "/" + request.resource()) {
            case "/nodes" -> ownNode(node, request);
            case "coordination.k8s.io/leases" -> request.namespace().equals(LEASE_NAMESPACE) && sub.isEmpty()
                    && (verb.equals("create") ? ownOrUnnamed(node, request.name()) : (READ_ONE.contains(verb) || WRITE.contains(verb)) && node.equals(request.name()));
            case "/pods" -> podRequest(node, request);
            case "/secrets", "/configmaps", "/persistentvolumeclaims" -> READ_ONE.contains(verb) && sub.isEmpty()
                    && referencedByBoundPod(node, request.resource(), request.namespace(), request.name());
            case "/serviceaccounts" -> referencedByBoundPod(node, request.resource(), request.namespace(), request.name())
                    && ((READ_ONE.contains(verb) && sub.isEmpty()) || (verb.equals("create") && sub.equals("token")));
            case "/events", "events.k8s.io/events" -> Set.of("create", "update", "patch").contains(verb);
            case "certificates.k8s.io/certificatesigningrequests" -> csrRequest(node, request);
            default -> false;
        };
    }

    private static boolean ownNode(String node, RequestAttributes request) {
        String verb = request.verb();
        if (!request.subresource().isEmpty() && !request.subresource().equals("status")) {
            return false;
        }
        if (verb.equals("create")) {
            // A kubelet registers its own Node; the name is in the body, which the authorizer does not see.
            return request.subresource().isEmpty() && ownOrUnnamed(node, request.name());
        }
        if (READ_ONE.contains(verb) || WRITE.contains(verb)) {
            return node.equals(request.name());
        }
        return READ_MANY.contains(verb) && request.subresource().isEmpty()
                && selects(request.fieldSelector(), "metadata.name", node);
    }

    private boolean podRequest(String node, RequestAttributes request) {
        String verb = request.verb();
        String sub = request.subresource();
        if (READ_MANY.contains(verb)) {
            return sub.isEmpty() && selects(request.fieldSelector(), "spec.nodeName", node);
        }
        boolean boundHere = objects.pod(request.namespace(), request.name())
                .map(pod -> pod.getSpec() != null && node.equals(pod.getSpec().getNodeName()))
                .orElse(false);
        if (!boundHere) {
            return false;
        }
        return switch (sub) {
            case "" -> READ_ONE.contains(verb) || verb.equals("delete");
            case "status" -> READ_ONE.contains(verb) || WRITE.contains(verb);
            default -> false;
        };
    }

    private boolean csrRequest(String node, RequestAttributes request) {
        String verb = request.verb();
        if (verb.equals("create")) {
            return request.subresource().isEmpty();
        }
        String user = NODE_USER_PREFIX + node;
        String name = READ_MANY.contains(verb) ? selected(request.fieldSelector(), "metadata.name").orElse("") : request.name();
        if (name.isEmpty() || !(READ_ONE.contains(verb) || READ_MANY.contains(verb)) || !request.subresource().isEmpty()) {
            return false;
        }
        return objects.certificateSigningRequest(name)
                .map(csr -> csr.getSpec() != null && user.equals(csr.getSpec().getUsername()))
                .orElse(false);
    }

    private boolean referencedByBoundPod(String node, String resource, String namespace, String name) {
        if (name.isEmpty() || namespace.isEmpty()) {
            return false;
        }
        return objects.podsOn(node).stream()
                .filter(pod -> pod.getMetadata() != null && namespace.equals(pod.getMetadata().getNamespace()))
                .anyMatch(pod -> references(pod.getSpec(), resource).contains(name));
    }

    /** The names of the objects of one resource that a pod needs to run. */
    static Set<String> references(PodSpec spec, String resource) {
        if (spec == null) {
            return Set.of();
        }
        List<String> names = new ArrayList<>();
        List<Volume> volumes = orEmpty(spec.getVolumes());
        List<Container> containers = Stream.of(orEmpty(spec.getInitContainers()), orEmpty(spec.getContainers()))
                .flatMap(List::stream).toList();
        switch (resource) {
            case "secrets" -> {
                orEmpty(spec.getImagePullSecrets()).stream().map(LocalObjectReference::getName).forEach(names::add);
                for (Volume volume : volumes) {
                    if (volume.getSecret() != null) {
                        names.add(volume.getSecret().getSecretName());
                    }
                    projections(volume).filter(p -> p.getSecret() != null).forEach(p -> names.add(p.getSecret().getName()));
                }
                for (Container container : containers) {
                    orEmpty(container.getEnvFrom()).stream().map(EnvFromSource::getSecretRef).filter(Objects::nonNull)
                            .forEach(ref -> names.add(ref.getName()));
                    orEmpty(container.getEnv()).stream().map(EnvVar::getValueFrom).filter(Objects::nonNull)
                            .filter(from -> from.getSecretKeyRef() != null).forEach(from -> names.add(from.getSecretKeyRef().getName()));
                }
            }
            case "configmaps" -> {
                for (Volume volume : volumes) {
                    if (volume.getConfigMap() != null) {
                        names.add(volume.getConfigMap().getName());
                    }
                    projections(volume).filter(p -> p.getConfigMap() != null).forEach(p -> names.add(p.getConfigMap().getName()));
                }
                for (Container container : containers) {
                    orEmpty(container.getEnvFrom()).stream().map(EnvFromSource::getConfigMapRef).filter(Objects::nonNull)
                            .forEach(ref -> names.add(ref.getName()));
                    orEmpty(container.getEnv()).stream().map(EnvVar::getValueFrom).filter(Objects::nonNull)
                            .filter(from -> from.getConfigMapKeyRef() != null).forEach(from -> names.add(from.getConfigMapKeyRef().getName()));
                }
            }
            case "persistentvolumeclaims" -> volumes.stream().filter(v -> v.getPersistentVolumeClaim() != null)
                    .forEach(v -> names.add(v.getPersistentVolumeClaim().getClaimName()));
            case "serviceaccounts" -> names.add(spec.getServiceAccountName() == null || spec.getServiceAccountName().isEmpty()
                    ? "default" : spec.getServiceAccountName());
            default -> { }
        }
        return names.stream().filter(Objects::nonNull).collect(Collectors.toUnmodifiableSet());
    }

    private static Stream<VolumeProjection> projections(Volume volume) {
        return volume.getProjected() == null ? Stream.empty() : orEmpty(volume.getProjected().getSources()).stream();
    }

    static Optional<String> nodeName(UserInfo user) {
        if (!user.name().startsWith(NODE_USER_PREFIX) || !user.inGroup(NODES_GROUP)) {
            return Optional.empty();
        }
        String name = user.name().substring(NODE_USER_PREFIX.length());
        return name.isEmpty() ? Optional.empty() : Optional.of(name);
    }

    private static boolean ownOrUnnamed(String node, String name) {
        return name.isEmpty() || node.equals(name);
    }

    /** Whether a field selector requires {@code field} to equal {@code value} ({@code a=b} or {@code a==b}, comma-joined). */
    static boolean selects(String fieldSelector, String field, String value) {
        return selected(fieldSelector, field).map(value::equals).orElse(false);
    }

    private static Optional<String> selected(String fieldSelector, String field) {
        for (String requirement : fieldSelector.split(",")) {
            String term = requirement.strip();
            if (term.contains("!=")) {
                continue;
            }
            int eq = term.indexOf('=');
            if (eq > 0 && term.substring(0, eq).strip().equals(field)) {
                String rest = term.substring(eq + 1);
                return Optional.of((rest.startsWith("=") ? rest.substring(1) : rest).strip());
            }
        }
        return Optional.empty();
    }

    private static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }
}
