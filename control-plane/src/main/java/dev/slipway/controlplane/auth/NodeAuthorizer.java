package dev.slipway.controlplane.auth;

import java.util.Optional;
import java.util.Set;

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

    private final NodeObjects cached;
    private final NodeObjects current;

    /**
     * Decides from {@code cached} (the watch caches); what they refuse is decided again from
     * {@code current} (etcd), as a cache may lag behind what a kubelet has already seen: its pod bound
     * a moment ago, the CSR it has just created. A refusal thus costs a read of etcd.
     */
    NodeAuthorizer(NodeObjects cached, NodeObjects current) {
        this.cached = cached;
        this.current = current;
    }

    @Override
    public Decision authorize(RequestAttributes request) {
        Optional<String> node = nodeName(request.user());
        if (node.isEmpty() || !request.resourceRequest()) {
            return Decision.noOpinion();
        }
        return allowed(node.get(), request, cached) || allowed(node.get(), request, current) ? Decision.allow() : Decision.noOpinion();
    }

    private static boolean allowed(String node, RequestAttributes request, NodeObjects objects) {
        String verb = request.verb();
        String sub = request.subresource();
        return switch (request.apiGroup() + "/" + request.resource()) {
            case "/nodes" -> ownNode(node, request);
            case "coordination.k8s.io/leases" -> request.namespace().equals(LEASE_NAMESPACE) && sub.isEmpty()
                    && (verb.equals("create") ? ownOrUnnamed(node, request.name()) : (READ_ONE.contains(verb) || WRITE.contains(verb)) && node.equals(request.name()));
            case "/pods" -> podRequest(node, request, objects);
            case "/secrets", "/configmaps", "/persistentvolumeclaims" -> READ_ONE.contains(verb) && sub.isEmpty()
                    && referencedByBoundPod(node, request, objects);
            case "/serviceaccounts" -> referencedByBoundPod(node, request, objects)
                    && ((READ_ONE.contains(verb) && sub.isEmpty()) || (verb.equals("create") && sub.equals("token")));
            case "/events", "events.k8s.io/events" -> Set.of("create", "update", "patch").contains(verb);
            case "certificates.k8s.io/certificatesigningrequests" -> csrRequest(node, request, objects);
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

    private static boolean podRequest(String node, RequestAttributes request, NodeObjects objects) {
        String verb = request.verb();
        String sub = request.subresource();
        if (READ_MANY.contains(verb)) {
            return sub.isEmpty() && selects(request.fieldSelector(), "spec.nodeName", node);
        }
        boolean boundHere = objects.pod(request.namespace(), request.name()).map(pod -> pod.boundTo(node)).orElse(false);
        if (!boundHere) {
            return false;
        }
        return switch (sub) {
            case "" -> READ_ONE.contains(verb) || verb.equals("delete");
            case "status" -> READ_ONE.contains(verb) || WRITE.contains(verb);
            default -> false;
        };
    }

    private static boolean csrRequest(String node, RequestAttributes request, NodeObjects objects) {
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

    private static boolean referencedByBoundPod(String node, RequestAttributes request, NodeObjects objects) {
        String name = request.name();
        if (name.isEmpty() || request.namespace().isEmpty()) {
            return false;
        }
        return objects.podsOn(node, request.namespace()).stream().anyMatch(pod -> pod.references(request.resource()).contains(name));
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
}
