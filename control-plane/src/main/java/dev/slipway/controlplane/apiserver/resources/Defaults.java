package dev.slipway.controlplane.apiserver.resources;

import dev.slipway.controlplane.apiserver.core.Json;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Kubernetes' defaulting for the built-in types: what a field is when the user leaves it out. */
final class Defaults {

    private Defaults() {
    }

    static void none(ObjectNode object) {
    }

    static void pod(ObjectNode pod) {
        podSpec(Json.child(pod, "spec"));
    }

    static void podSpec(ObjectNode spec) {
        putIfAbsent(spec, "restartPolicy", "Always");
        putIfAbsent(spec, "dnsPolicy", "ClusterFirst");
        putIfAbsent(spec, "schedulerName", "default-scheduler");
        putIfAbsent(spec, "serviceAccountName", Json.textOr(spec, "default", "serviceAccount"));
        putIfAbsent(spec, "serviceAccount", spec.get("serviceAccountName").asString());
        if (!spec.has("terminationGracePeriodSeconds")) {
            spec.put("terminationGracePeriodSeconds", 30);
        }
        if (!spec.has("enableServiceLinks")) {
            spec.put("enableServiceLinks", true);
        }
        if (!spec.has("securityContext")) {
            spec.putObject("securityContext");
        }
        for (String list : new String[] {"containers", "initContainers"}) {
            if (spec.get(list) instanceof ArrayNode containers) {
                for (JsonNode container : containers) {
                    if (container instanceof ObjectNode object) {
                        container(object);
                    }
                }
            }
        }
    }

    private static void container(ObjectNode container) {
        String image = Json.textOr(container, "", "image");
        String tail = image.substring(image.lastIndexOf('/') + 1);
        boolean latest = !tail.contains(":") && !tail.contains("@") || tail.endsWith(":latest");
        putIfAbsent(container, "imagePullPolicy", latest ? "Always" : "IfNotPresent");
        putIfAbsent(container, "terminationMessagePath", "/dev/termination-log");
        putIfAbsent(container, "terminationMessagePolicy", "File");
        if (!container.has("resources")) {
            container.putObject("resources");
        }
        if (container.get("ports") instanceof ArrayNode ports) {
            for (JsonNode port : ports) {
                if (port instanceof ObjectNode object) {
                    putIfAbsent(object, "protocol", "TCP");
                }
            }
        }
    }

    static void deployment(ObjectNode deployment) {
        ObjectNode spec = Json.child(deployment, "spec");
        replicas(spec);
        ObjectNode strategy = Json.child(spec, "strategy");
        putIfAbsent(strategy, "type", "RollingUpdate");
        if ("RollingUpdate".equals(strategy.get("type").asString())) {
            ObjectNode rolling = Json.child(strategy, "rollingUpdate");
            putIfAbsent(rolling, "maxUnavailable", "25%");
            putIfAbsent(rolling, "maxSurge", "25%");
        }
        intIfAbsent(spec, "revisionHistoryLimit", 10);
        intIfAbsent(spec, "progressDeadlineSeconds", 600);
        template(spec);
    }

    static void replicaSet(ObjectNode replicaSet) {
        ObjectNode spec = Json.child(replicaSet, "spec");
        replicas(spec);
        template(spec);
    }

    static void statefulSet(ObjectNode statefulSet) {
        ObjectNode spec = Json.child(statefulSet, "spec");
        replicas(spec);
        putIfAbsent(spec, "podManagementPolicy", "OrderedReady");
        ObjectNode strategy = Json.child(spec, "updateStrategy");
        putIfAbsent(strategy, "type", "RollingUpdate");
        if ("RollingUpdate".equals(strategy.get("type").asString())) {
            intIfAbsent(Json.child(strategy, "rollingUpdate"), "partition", 0);
        }
        intIfAbsent(spec, "revisionHistoryLimit", 10);
        ObjectNode retention = Json.child(spec, "persistentVolumeClaimRetentionPolicy");
        putIfAbsent(retention, "whenDeleted", "Retain");
        putIfAbsent(retention, "whenScaled", "Retain");
        template(spec);
    }

    static void daemonSet(ObjectNode daemonSet) {
        ObjectNode spec = Json.child(daemonSet, "spec");
        ObjectNode strategy = Json.child(spec, "updateStrategy");
        putIfAbsent(strategy, "type", "RollingUpdate");
        if ("RollingUpdate".equals(strategy.get("type").asString())) {
            ObjectNode rolling = Json.child(strategy, "rollingUpdate");
            if (!rolling.has("maxUnavailable")) {
                rolling.put("maxUnavailable", 1);
            }
            if (!rolling.has("maxSurge")) {
                rolling.put("maxSurge", 0);
            }
        }
        intIfAbsent(spec, "revisionHistoryLimit", 10);
        template(spec);
    }

    static void service(ObjectNode service) {
        ObjectNode spec = Json.child(service, "spec");
        putIfAbsent(spec, "type", "ClusterIP");
        putIfAbsent(spec, "sessionAffinity", "None");
        String type = spec.get("type").asString();
        if (!"ExternalName".equals(type)) {
            putIfAbsent(spec, "internalTrafficPolicy", "Cluster");
        }
        if ("NodePort".equals(type) || "LoadBalancer".equals(type)) {
            putIfAbsent(spec, "externalTrafficPolicy", "Cluster");
        }
        if (spec.get("ports") instanceof ArrayNode ports) {
            for (JsonNode port : ports) {
                if (port instanceof ObjectNode object) {
                    putIfAbsent(object, "protocol", "TCP");
                    if (!object.has("targetPort") && object.has("port")) {
                        object.set("targetPort", object.get("port"));
                    }
                }
            }
        }
    }

    static void secret(ObjectNode secret) {
        putIfAbsent(secret, "type", "Opaque");
        // stringData is write-only: its values land base64-encoded in data, as Kubernetes stores them.
        if (secret.remove("stringData") instanceof ObjectNode strings) {
            ObjectNode data = Json.child(secret, "data");
            strings.forEachEntry((key, value) -> data.put(key,
                    Base64.getEncoder().encodeToString(value.asString("").getBytes(StandardCharsets.UTF_8))));
        }
    }

    static void namespace(ObjectNode namespace) {
        ObjectNode spec = Json.child(namespace, "spec");
        if (!spec.has("finalizers")) {
            spec.putArray("finalizers").add("kubernetes");
        }
        putIfAbsent(Json.child(namespace, "status"), "phase", "Active");
        String name = Json.textOr(namespace, "", "metadata", "name");
        if (!name.isEmpty()) {
            Json.child(Json.metadata(namespace), "labels").put("kubernetes.io/metadata.name", name);
        }
    }

    static void persistentVolume(ObjectNode volume) {
        ObjectNode spec = Json.child(volume, "spec");
        putIfAbsent(spec, "persistentVolumeReclaimPolicy", "Retain");
        putIfAbsent(spec, "volumeMode", "Filesystem");
        putIfAbsent(Json.child(volume, "status"), "phase", "Pending");
    }

    static void persistentVolumeClaim(ObjectNode claim) {
        putIfAbsent(Json.child(claim, "spec"), "volumeMode", "Filesystem");
        putIfAbsent(Json.child(claim, "status"), "phase", "Pending");
    }

    static void storageClass(ObjectNode storageClass) {
        putIfAbsent(storageClass, "reclaimPolicy", "Delete");
        putIfAbsent(storageClass, "volumeBindingMode", "Immediate");
    }

    private static void replicas(ObjectNode spec) {
        intIfAbsent(spec, "replicas", 1);
    }

    private static void template(ObjectNode spec) {
        ObjectNode template = Json.child(spec, "template");
        podSpec(Json.child(template, "spec"));
    }

    private static void putIfAbsent(ObjectNode object, String field, String value) {
        if (!object.has(field) || object.get(field).isNull()) {
            object.put(field, value);
        }
    }

    private static void intIfAbsent(ObjectNode object, String field, int value) {
        if (!object.has(field) || object.get(field).isNull()) {
            object.put(field, value);
        }
    }
}
