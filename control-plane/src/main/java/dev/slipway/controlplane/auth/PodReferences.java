package dev.slipway.controlplane.auth;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * What auth knows of a pod: who it is, the node it is bound to, and the names of the objects it
 * needs to run, by resource (secrets, configmaps, persistentvolumeclaims, serviceaccounts). Read from
 * the stored JSON's tree rather than into fabric8's Pod: every API server reads every pod event, and
 * Jackson builds the Pod model's deserializer on the first one (0.5 s of CPU in a fresh JVM measured
 * alone). On a fresh cluster all API servers did so at once for its first pod, while that pod's
 * kubelet waited for the authorizer to see the pod bound.
 */
record PodReferences(String namespace, String name, String uid, String nodeName, Map<String, Set<String>> byResource) {

    static PodReferences read(byte[] json) {
        return of(ModelJson.MAPPER.readTree(json));
    }

    static PodReferences of(JsonNode pod) {
        JsonNode metadata = pod.path("metadata");
        JsonNode spec = pod.path("spec");
        Map<String, Set<String>> names = new HashMap<>();
        spec.path("imagePullSecrets").forEach(reference -> add(names, "secrets", reference.path("name")));
        for (JsonNode volume : spec.path("volumes")) {
            add(names, "secrets", volume.path("secret").path("secretName"));
            add(names, "configmaps", volume.path("configMap").path("name"));
            add(names, "persistentvolumeclaims", volume.path("persistentVolumeClaim").path("claimName"));
            for (JsonNode source : volume.path("projected").path("sources")) {
                add(names, "secrets", source.path("secret").path("name"));
                add(names, "configmaps", source.path("configMap").path("name"));
            }
        }
        for (String list : new String[] {"initContainers", "containers"}) {
            for (JsonNode container : spec.path(list)) {
                for (JsonNode from : container.path("envFrom")) {
                    add(names, "secrets", from.path("secretRef").path("name"));
                    add(names, "configmaps", from.path("configMapRef").path("name"));
                }
                for (JsonNode variable : container.path("env")) {
                    add(names, "secrets", variable.path("valueFrom").path("secretKeyRef").path("name"));
                    add(names, "configmaps", variable.path("valueFrom").path("configMapKeyRef").path("name"));
                }
            }
        }
        String serviceAccount = spec.path("serviceAccountName").asString("");
        names.put("serviceaccounts", Set.of(serviceAccount.isEmpty() ? "default" : serviceAccount));
        names.replaceAll((resource, set) -> Set.copyOf(set));
        return new PodReferences(metadata.path("namespace").asString(""), metadata.path("name").asString(""),
                metadata.path("uid").asString(""), spec.path("nodeName").asString(""), Map.copyOf(names));
    }

    boolean boundTo(String node) {
        return !nodeName.isEmpty() && nodeName.equals(node);
    }

    /** The names of the objects of {@code resource} that the pod needs to run. */
    Set<String> references(String resource) {
        return byResource.getOrDefault(resource, Set.of());
    }

    private static void add(Map<String, Set<String>> names, String resource, JsonNode name) {
        if (name.isString() && !name.asString().isEmpty()) {
            names.computeIfAbsent(resource, r -> new HashSet<>()).add(name.asString());
        }
    }
}
