package dev.slipway.controlplane.apiserver.resources;

import static dev.slipway.controlplane.apiserver.resources.TableColumn.number;
import static dev.slipway.controlplane.apiserver.resources.TableColumn.text;

import dev.slipway.controlplane.apiserver.core.Json;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The table columns kubectl shows for each built-in resource (the NAME column is added by the table). */
final class Columns {

    private static final String NONE = "<none>";

    private Columns() {
    }

    static TableColumn age() {
        return text("Age", 0, "time since creation", object -> age(Json.textOr(object, "", "metadata", "creationTimestamp")));
    }

    static List<TableColumn> plain() {
        return List.of(age());
    }

    static List<TableColumn> pods() {
        return List.of(
                text("Ready", 0, "ready containers", object -> ready(object)),
                text("Status", 0, "aggregate status of the containers", Columns::podStatus),
                text("Restarts", 0, "container restarts", object -> restarts(object)),
                age(),
                text("IP", 1, "pod IP", object -> orNone(Json.textOr(object, "", "status", "podIP"))),
                text("Node", 1, "node the pod runs on", object -> orNone(Json.textOr(object, "", "spec", "nodeName"))),
                text("Nominated Node", 1, "nominated node", object -> orNone(Json.textOr(object, "", "status", "nominatedNodeName"))),
                text("Readiness Gates", 1, "readiness gates", object -> NONE));
    }

    static List<TableColumn> nodes() {
        return List.of(
                text("Status", 0, "node condition", Columns::nodeStatus),
                text("Roles", 0, "node roles", Columns::nodeRoles),
                age(),
                text("Version", 0, "kubelet version", object -> Json.textOr(object, "", "status", "nodeInfo", "kubeletVersion")),
                text("Internal-IP", 1, "internal address", object -> nodeAddress(object, "InternalIP")),
                text("External-IP", 1, "external address", object -> nodeAddress(object, "ExternalIP")),
                text("OS-Image", 1, "OS image", object -> Json.textOr(object, "<unknown>", "status", "nodeInfo", "osImage")),
                text("Kernel-Version", 1, "kernel", object -> Json.textOr(object, "<unknown>", "status", "nodeInfo", "kernelVersion")),
                text("Container-Runtime", 1, "runtime", object -> Json.textOr(object, "<unknown>", "status", "nodeInfo", "containerRuntimeVersion")));
    }

    static List<TableColumn> deployments() {
        return List.of(
                text("Ready", 0, "ready of desired", object -> integer(object, "status", "readyReplicas") + "/" + integer(object, "spec", "replicas")),
                number("Up-to-date", 0, "updated replicas", object -> integer(object, "status", "updatedReplicas")),
                number("Available", 0, "available replicas", object -> integer(object, "status", "availableReplicas")),
                age(),
                text("Containers", 1, "container names", object -> containers(object, "name")),
                text("Images", 1, "container images", object -> containers(object, "image")),
                text("Selector", 1, "label selector", object -> selector(Json.at(object, "spec", "selector", "matchLabels"))));
    }

    static List<TableColumn> replicaSets() {
        return List.of(
                number("Desired", 0, "desired replicas", object -> integer(object, "spec", "replicas")),
                number("Current", 0, "current replicas", object -> integer(object, "status", "replicas")),
                number("Ready", 0, "ready replicas", object -> integer(object, "status", "readyReplicas")),
                age(),
                text("Containers", 1, "container names", object -> containers(object, "name")),
                text("Images", 1, "container images", object -> containers(object, "image")),
                text("Selector", 1, "label selector", object -> selector(Json.at(object, "spec", "selector", "matchLabels"))));
    }

    static List<TableColumn> statefulSets() {
        return List.of(
                text("Ready", 0, "ready of desired", object -> integer(object, "status", "readyReplicas") + "/" + integer(object, "spec", "replicas")),
                age(),
                text("Containers", 1, "container names", object -> containers(object, "name")),
                text("Images", 1, "container images", object -> containers(object, "image")));
    }

    static List<TableColumn> daemonSets() {
        return List.of(
                number("Desired", 0, "desired pods", object -> integer(object, "status", "desiredNumberScheduled")),
                number("Current", 0, "current pods", object -> integer(object, "status", "currentNumberScheduled")),
                number("Ready", 0, "ready pods", object -> integer(object, "status", "numberReady")),
                number("Up-to-date", 0, "updated pods", object -> integer(object, "status", "updatedNumberScheduled")),
                number("Available", 0, "available pods", object -> integer(object, "status", "numberAvailable")),
                text("Node Selector", 0, "node selector", object -> selector(Json.at(object, "spec", "template", "spec", "nodeSelector"))),
                age(),
                text("Containers", 1, "container names", object -> containers(object, "name")),
                text("Images", 1, "container images", object -> containers(object, "image")));
    }

    static List<TableColumn> services() {
        return List.of(
                text("Type", 0, "service type", object -> Json.textOr(object, "ClusterIP", "spec", "type")),
                text("Cluster-IP", 0, "cluster IP", object -> orNone(Json.textOr(object, "", "spec", "clusterIP"))),
                text("External-IP", 0, "external IPs", Columns::externalIp),
                text("Port(s)", 0, "ports", Columns::servicePorts),
                age(),
                text("Selector", 1, "selector", object -> selector(Json.at(object, "spec", "selector"))));
    }

    static List<TableColumn> endpoints() {
        return List.of(text("Endpoints", 0, "addresses", Columns::endpointAddresses), age());
    }

    static List<TableColumn> configMaps() {
        return List.of(number("Data", 0, "keys", object -> size(object.get("data")) + size(object.get("binaryData"))), age());
    }

    static List<TableColumn> secrets() {
        return List.of(
                text("Type", 0, "secret type", object -> Json.textOr(object, "Opaque", "type")),
                number("Data", 0, "keys", object -> size(object.get("data"))),
                age());
    }

    static List<TableColumn> serviceAccounts() {
        return List.of(number("Secrets", 0, "secrets", object -> size(object.get("secrets"))), age());
    }

    static List<TableColumn> namespaces() {
        return List.of(text("Status", 0, "phase", object -> Json.textOr(object, "Active", "status", "phase")), age());
    }

    static List<TableColumn> events() {
        return List.of(
                text("Last Seen", 0, "last seen", object -> age(Json.textOr(object, Json.textOr(object, "", "eventTime"), "lastTimestamp"))),
                text("Type", 0, "event type", object -> Json.textOr(object, "", "type")),
                text("Reason", 0, "reason", object -> Json.textOr(object, "", "reason")),
                text("Object", 0, "involved object", object -> Json.textOr(object, "", "involvedObject", "kind").toLowerCase()
                        + "/" + Json.textOr(object, "", "involvedObject", "name")),
                text("Message", 0, "message", object -> Json.textOr(object, "", "message")));
    }

    static List<TableColumn> persistentVolumes() {
        return List.of(
                text("Capacity", 0, "capacity", object -> Json.textOr(object, "", "spec", "capacity", "storage")),
                text("Access Modes", 0, "access modes", object -> accessModes(Json.at(object, "spec", "accessModes"))),
                text("Reclaim Policy", 0, "reclaim policy", object -> Json.textOr(object, "", "spec", "persistentVolumeReclaimPolicy")),
                text("Status", 0, "phase", object -> Json.textOr(object, "", "status", "phase")),
                text("Claim", 0, "bound claim", object -> Json.text(object, "spec", "claimRef", "name")
                        .map(name -> Json.textOr(object, "", "spec", "claimRef", "namespace") + "/" + name).orElse("")),
                text("StorageClass", 0, "storage class", object -> Json.textOr(object, "", "spec", "storageClassName")),
                text("VolumeAttributesClass", 0, "attributes class", object -> NONE),
                text("Reason", 0, "reason", object -> Json.textOr(object, "", "status", "reason")),
                age());
    }

    static List<TableColumn> persistentVolumeClaims() {
        return List.of(
                text("Status", 0, "phase", object -> Json.textOr(object, "", "status", "phase")),
                text("Volume", 0, "bound volume", object -> Json.textOr(object, "", "spec", "volumeName")),
                text("Capacity", 0, "capacity", object -> Json.textOr(object, "", "status", "capacity", "storage")),
                text("Access Modes", 0, "access modes", object -> accessModes(Json.at(object, "status", "accessModes"))),
                text("StorageClass", 0, "storage class", object -> Json.textOr(object, "", "spec", "storageClassName")),
                text("VolumeAttributesClass", 0, "attributes class", object -> NONE),
                age());
    }

    static List<TableColumn> ingresses() {
        return List.of(
                text("Class", 0, "ingress class", object -> orNone(Json.textOr(object, "", "spec", "ingressClassName"))),
                text("Hosts", 0, "hosts", Columns::ingressHosts),
                text("Address", 0, "load balancer address", object -> loadBalancerAddresses(object)),
                text("Ports", 0, "ports", object -> size(Json.at(object, "spec", "tls")) > 0 ? "80, 443" : "80"),
                age());
    }

    static List<TableColumn> ingressClasses() {
        return List.of(
                text("Controller", 0, "controller", object -> Json.textOr(object, "", "spec", "controller")),
                text("Parameters", 0, "parameters", object -> NONE),
                age());
    }

    static List<TableColumn> endpointSlices() {
        return List.of(
                text("AddressType", 0, "address type", object -> Json.textOr(object, "", "addressType")),
                text("Ports", 0, "ports", object -> joined(object.get("ports"), port -> port.path("port").asString(""), "<unset>")),
                text("Endpoints", 0, "endpoints", object -> joined(object.get("endpoints"),
                        endpoint -> endpoint.path("addresses").path(0).asString(""), "<unset>")),
                age());
    }

    static List<TableColumn> leases() {
        return List.of(text("Holder", 0, "holder", object -> Json.textOr(object, "", "spec", "holderIdentity")), age());
    }

    static List<TableColumn> certificateSigningRequests() {
        return List.of(
                age(),
                text("SignerName", 0, "signer", object -> Json.textOr(object, "", "spec", "signerName")),
                text("Requestor", 0, "requestor", object -> Json.textOr(object, "", "spec", "username")),
                text("RequestedDuration", 0, "duration", object -> Json.at(object, "spec", "expirationSeconds") instanceof JsonNode seconds
                        && seconds.isNumber() ? humanDuration(Duration.ofSeconds(seconds.asLong())) : NONE),
                text("Condition", 0, "conditions", Columns::csrCondition));
    }

    static List<TableColumn> roleBindings() {
        return List.of(
                text("Role", 0, "role", object -> Json.textOr(object, "", "roleRef", "kind") + "/" + Json.textOr(object, "", "roleRef", "name")),
                age());
    }

    static List<TableColumn> createdAt() {
        return List.of(text("Created At", 0, "creation time", object -> Json.textOr(object, "", "metadata", "creationTimestamp")));
    }

    static List<TableColumn> storageClasses() {
        return List.of(
                text("Provisioner", 0, "provisioner", object -> Json.textOr(object, "", "provisioner")),
                text("ReclaimPolicy", 0, "reclaim policy", object -> Json.textOr(object, "Delete", "reclaimPolicy")),
                text("VolumeBindingMode", 0, "binding mode", object -> Json.textOr(object, "Immediate", "volumeBindingMode")),
                text("AllowVolumeExpansion", 0, "expansion", object -> Boolean.toString(object.path("allowVolumeExpansion").asBoolean(false))),
                age());
    }

    /** Kubernetes' short human durations: 45s, 3m12s, 5h, 12d. */
    static String age(String timestamp) {
        if (timestamp.isEmpty()) {
            return "<unknown>";
        }
        try {
            return humanDuration(Duration.between(Instant.parse(timestamp), Instant.now()));
        } catch (DateTimeParseException e) {
            return "<unknown>";
        }
    }

    static String humanDuration(Duration duration) {
        long seconds = duration.toSeconds();
        if (seconds < -1) {
            return "<invalid>";
        }
        if (seconds < 0) {
            return "0s";
        }
        if (seconds < 120) {
            return seconds + "s";
        }
        long minutes = seconds / 60;
        if (minutes < 10) {
            return seconds % 60 == 0 ? minutes + "m" : minutes + "m" + seconds % 60 + "s";
        }
        if (minutes < 180) {
            return minutes + "m";
        }
        long hours = minutes / 60;
        if (hours < 8) {
            return minutes % 60 == 0 ? hours + "h" : hours + "h" + minutes % 60 + "m";
        }
        if (hours < 48) {
            return hours + "h";
        }
        if (hours < 24 * 8) {
            return hours % 24 == 0 ? hours / 24 + "d" : hours / 24 + "d" + hours % 24 + "h";
        }
        if (hours < 24 * 365 * 2) {
            return hours / 24 + "d";
        }
        long days = hours / 24;
        return hours < 24 * 365 * 8 ? days / 365 + "y" + days % 365 + "d" : days / 365 + "y";
    }

    private static String ready(ObjectNode pod) {
        int total = size(Json.at(pod, "spec", "containers"));
        int ready = 0;
        JsonNode statuses = Json.at(pod, "status", "containerStatuses");
        if (statuses != null && statuses.isArray()) {
            for (JsonNode status : statuses) {
                ready += status.path("ready").asBoolean(false) ? 1 : 0;
            }
        }
        return ready + "/" + total;
    }

    private static String restarts(ObjectNode pod) {
        long restarts = 0;
        JsonNode statuses = Json.at(pod, "status", "containerStatuses");
        if (statuses != null && statuses.isArray()) {
            for (JsonNode status : statuses) {
                restarts += status.path("restartCount").asLong(0);
            }
        }
        return Long.toString(restarts);
    }

    private static Object podStatus(ObjectNode pod) {
        String reason = Json.text(pod, "status", "reason").orElse(Json.textOr(pod, "Pending", "status", "phase"));
        JsonNode statuses = Json.at(pod, "status", "containerStatuses");
        if (statuses != null && statuses.isArray()) {
            for (JsonNode status : statuses) {
                String waiting = status.path("state").path("waiting").path("reason").asString("");
                String terminated = status.path("state").path("terminated").path("reason").asString("");
                if (!waiting.isEmpty()) {
                    reason = waiting;
                } else if (!terminated.isEmpty() && !"Running".equals(reason)) {
                    reason = terminated;
                }
            }
        }
        if (Json.text(pod, "metadata", "deletionTimestamp").isPresent()) {
            reason = "Terminating";
        }
        return reason;
    }

    private static Object nodeStatus(ObjectNode node) {
        String status = "Unknown";
        JsonNode conditions = Json.at(node, "status", "conditions");
        if (conditions != null && conditions.isArray()) {
            for (JsonNode condition : conditions) {
                if ("Ready".equals(condition.path("type").asString(""))) {
                    status = "True".equals(condition.path("status").asString("")) ? "Ready" : "NotReady";
                }
            }
        }
        return Json.at(node, "spec", "unschedulable") instanceof JsonNode flag && flag.asBoolean(false)
                ? status + ",SchedulingDisabled" : status;
    }

    private static Object nodeRoles(ObjectNode node) {
        List<String> roles = new ArrayList<>();
        JsonNode labels = Json.at(node, "metadata", "labels");
        if (labels != null && labels.isObject()) {
            for (String label : labels.propertyNames()) {
                if (label.startsWith("node-role.kubernetes.io/")) {
                    roles.add(label.substring("node-role.kubernetes.io/".length()));
                }
            }
        }
        return roles.isEmpty() ? NONE : String.join(",", roles);
    }

    private static String nodeAddress(ObjectNode node, String type) {
        JsonNode addresses = Json.at(node, "status", "addresses");
        if (addresses != null && addresses.isArray()) {
            for (JsonNode address : addresses) {
                if (type.equals(address.path("type").asString(""))) {
                    return address.path("address").asString("");
                }
            }
        }
        return NONE;
    }

    private static Object externalIp(ObjectNode service) {
        String type = Json.textOr(service, "ClusterIP", "spec", "type");
        List<String> addresses = new ArrayList<>();
        JsonNode external = Json.at(service, "spec", "externalIPs");
        if (external != null && external.isArray()) {
            external.forEach(ip -> addresses.add(ip.asString("")));
        }
        return switch (type) {
            case "ExternalName" -> Json.textOr(service, NONE, "spec", "externalName");
            case "LoadBalancer" -> {
                String balancer = loadBalancerAddresses(service);
                if (!balancer.isEmpty()) {
                    addresses.add(balancer);
                }
                yield addresses.isEmpty() ? "<pending>" : String.join(",", addresses);
            }
            default -> addresses.isEmpty() ? NONE : String.join(",", addresses);
        };
    }

    private static String loadBalancerAddresses(ObjectNode object) {
        return joined(Json.at(object, "status", "loadBalancer", "ingress"),
                ingress -> ingress.path("ip").asString(ingress.path("hostname").asString("")), "");
    }

    private static Object servicePorts(ObjectNode service) {
        return joined(Json.at(service, "spec", "ports"), port -> {
            String nodePort = port.path("nodePort").isNumber() ? ":" + port.path("nodePort").asInt() : "";
            return port.path("port").asInt() + nodePort + "/" + port.path("protocol").asString("TCP");
        }, NONE);
    }

    private static Object endpointAddresses(ObjectNode endpoints) {
        List<String> addresses = new ArrayList<>();
        JsonNode subsets = endpoints.get("subsets");
        if (subsets != null && subsets.isArray()) {
            for (JsonNode subset : subsets) {
                for (JsonNode address : subset.path("addresses")) {
                    JsonNode ports = subset.path("ports");
                    if (ports.isArray() && !ports.isEmpty()) {
                        ports.forEach(port -> addresses.add(address.path("ip").asString("") + ":" + port.path("port").asInt()));
                    } else {
                        addresses.add(address.path("ip").asString(""));
                    }
                }
            }
        }
        return addresses.isEmpty() ? NONE : String.join(",", addresses.subList(0, Math.min(3, addresses.size())))
                + (addresses.size() > 3 ? " + " + (addresses.size() - 3) + " more..." : "");
    }

    private static Object ingressHosts(ObjectNode ingress) {
        return joined(Json.at(ingress, "spec", "rules"), rule -> rule.path("host").asString("*"), "*");
    }

    private static Object csrCondition(ObjectNode csr) {
        String joined = joined(Json.at(csr, "status", "conditions"), condition -> condition.path("type").asString(""), "");
        return joined.isEmpty() ? "Pending" : joined;
    }

    private static String accessModes(JsonNode modes) {
        return joined(modes, mode -> switch (mode.asString("")) {
            case "ReadWriteOnce" -> "RWO";
            case "ReadOnlyMany" -> "ROX";
            case "ReadWriteMany" -> "RWX";
            case "ReadWriteOncePod" -> "RWOP";
            default -> mode.asString("");
        }, "");
    }

    private static String containers(ObjectNode workload, String field) {
        return joined(Json.at(workload, "spec", "template", "spec", "containers"), container -> container.path(field).asString(""), "");
    }

    private static String selector(JsonNode labels) {
        if (labels == null || !labels.isObject() || labels.isEmpty()) {
            return NONE;
        }
        StringJoiner joiner = new StringJoiner(",");
        labels.forEachEntry((key, value) -> joiner.add(key + "=" + value.asString("")));
        return joiner.toString();
    }

    private static String joined(JsonNode list, Function<JsonNode, String> each, String empty) {
        if (list == null || !list.isArray() || list.isEmpty()) {
            return empty;
        }
        StringJoiner joiner = new StringJoiner(",");
        list.forEach(item -> joiner.add(each.apply(item)));
        return joiner.toString();
    }

    private static long integer(ObjectNode object, String... path) {
        JsonNode value = Json.at(object, path);
        return value != null && value.isNumber() ? value.asLong() : 0;
    }

    private static int size(JsonNode node) {
        return node == null || node.isNull() ? 0 : node.size();
    }

    private static String orNone(String value) {
        return value.isEmpty() ? NONE : value;
    }
}
