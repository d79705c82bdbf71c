package dev.slipway.controlplane.apiserver.resources;

import dev.slipway.controlplane.apiserver.core.ApiError.Cause;
import dev.slipway.controlplane.apiserver.core.Json;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Kubernetes' validation of the built-in types, as far as Slipway checks them. */
public final class Validation {

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern LABEL_NAME = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
    private static final Pattern CONFIG_KEY = Pattern.compile("[-._a-zA-Z0-9]+");
    private static final Set<String> PROTOCOLS = Set.of("TCP", "UDP", "SCTP");

    private Validation() {
    }

    /** How a resource's names are checked. */
    enum NameRule { SUBDOMAIN, LABEL, PATH_SEGMENT }

    /** Checks metadata shared by every object: name, labels, annotations. */
    static List<Cause> metadata(ObjectNode object, NameRule rule) {
        List<Cause> causes = new ArrayList<>();
        String name = Json.textOr(object, "", "metadata", "name");
        if (name.isEmpty()) {
            causes.add(required("metadata.name", "name or generateName is required"));
        } else {
            String problem = switch (rule) {
                case SUBDOMAIN -> isSubdomain(name) ? "" : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                        + "characters, '-' or '.', and must start and end with an alphanumeric character";
                case LABEL -> isDnsLabel(name) ? "" : "a lowercase RFC 1123 label must consist of lower case alphanumeric "
                        + "characters or '-', and must start and end with an alphanumeric character";
                case PATH_SEGMENT -> name.contains("/") || name.contains("%") || name.equals(".") || name.equals("..")
                        ? "may not contain '/' or '%' or be '.' or '..'" : "";
            };
            if (!problem.isEmpty()) {
                causes.add(invalid("metadata.name", name, problem));
            }
        }
        labels(causes, "metadata.labels", Json.at(object, "metadata", "labels"));
        JsonNode annotations = Json.at(object, "metadata", "annotations");
        if (annotations != null && annotations.isObject()) {
            long total = 0;
            for (var entry : annotations.properties()) {
                if (!isQualifiedName(entry.getKey())) {
                    causes.add(invalid("metadata.annotations", entry.getKey(), "name part must consist of alphanumeric characters, "
                            + "'-', '_' or '.', and must start and end with an alphanumeric character"));
                }
                total += entry.getKey().length() + entry.getValue().asString("").length();
            }
            if (total > 256 * 1024) {
                causes.add(new Cause("FieldValueTooLong", "metadata.annotations", "Too long: must have at most 262144 bytes"));
            }
        }
        return causes;
    }

    static List<Cause> labels(List<Cause> causes, String field, JsonNode labels) {
        if (labels != null && labels.isObject()) {
            for (var entry : labels.properties()) {
                if (!isQualifiedName(entry.getKey())) {
                    causes.add(invalid(field, entry.getKey(), "name part must consist of alphanumeric characters, '-', '_' or '.', "
                            + "and must start and end with an alphanumeric character (e.g. 'MyName', or 'my.name', or '123-abc')"));
                }
                String value = entry.getValue().asString("");
                if (!entry.getValue().isString() || !(value.isEmpty() || value.length() <= 63 && LABEL_NAME.matcher(value).matches())) {
                    causes.add(invalid(field, value, "a valid label must be an empty string or consist of alphanumeric characters, "
                            + "'-', '_' or '.', and must start and end with an alphanumeric character"));
                }
            }
        }
        return causes;
    }

    static List<Cause> pod(ObjectNode pod) {
        List<Cause> causes = new ArrayList<>();
        podSpec(causes, "spec", Json.at(pod, "spec"));
        return causes;
    }

    static void podSpec(List<Cause> causes, String field, JsonNode spec) {
        if (spec == null || !spec.isObject()) {
            causes.add(required(field, "Required value"));
            return;
        }
        JsonNode containers = spec.get("containers");
        if (containers == null || !containers.isArray() || containers.isEmpty()) {
            causes.add(required(field + ".containers", "Required value"));
        } else {
            containers(causes, field + ".containers", containers, new HashSet<>());
        }
        JsonNode init = spec.get("initContainers");
        if (init != null && init.isArray()) {
            containers(causes, field + ".initContainers", init, new HashSet<>());
        }
        String restart = spec.path("restartPolicy").asString("Always");
        if (!Set.of("Always", "OnFailure", "Never").contains(restart)) {
            causes.add(new Cause("FieldValueNotSupported", field + ".restartPolicy",
                    "Unsupported value: \"" + restart + "\": supported values: \"Always\", \"OnFailure\", \"Never\""));
        }
        JsonNode volumes = spec.get("volumes");
        if (volumes != null && volumes.isArray()) {
            Set<String> names = new HashSet<>();
            for (int i = 0; i < volumes.size(); i++) {
                String name = volumes.get(i).path("name").asString("");
                String path = field + ".volumes[" + i + "].name";
                if (name.isEmpty()) {
                    causes.add(required(path, "Required value"));
                } else if (!isDnsLabel(name)) {
                    causes.add(invalid(path, name, "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'"));
                } else if (!names.add(name)) {
                    causes.add(new Cause("FieldValueDuplicate", path, "Duplicate value: \"" + name + "\""));
                }
            }
        }
    }

    private static void containers(List<Cause> causes, String field, JsonNode containers, Set<String> names) {
        for (int i = 0; i < containers.size(); i++) {
            JsonNode container = containers.get(i);
            String path = field + "[" + i + "]";
            String name = container.path("name").asString("");
            if (name.isEmpty()) {
                causes.add(required(path + ".name", "Required value"));
            } else if (!isDnsLabel(name)) {
                causes.add(invalid(path + ".name", name, "a lowercase RFC 1123 label must consist of lower case alphanumeric "
                        + "characters or '-', and must start and end with an alphanumeric character"));
            } else if (!names.add(name)) {
                causes.add(new Cause("FieldValueDuplicate", path + ".name", "Duplicate value: \"" + name + "\""));
            }
            if (container.path("image").asString("").isBlank()) {
                causes.add(required(path + ".image", "Required value"));
            }
            JsonNode ports = container.get("ports");
            if (ports != null && ports.isArray()) {
                for (int p = 0; p < ports.size(); p++) {
                    JsonNode port = ports.get(p);
                    portNumber(causes, path + ".ports[" + p + "].containerPort", port.get("containerPort"), true);
                    if (port.has("hostPort")) {
                        portNumber(causes, path + ".ports[" + p + "].hostPort", port.get("hostPort"), false);
                    }
                    protocol(causes, path + ".ports[" + p + "].protocol", port);
                }
            }
            JsonNode env = container.get("env");
            if (env != null && env.isArray()) {
                for (int e = 0; e < env.size(); e++) {
                    if (env.get(e).path("name").asString("").isEmpty()) {
                        causes.add(required(path + ".env[" + e + "].name", "Required value"));
                    }
                }
            }
        }
    }

    static List<Cause> workload(ObjectNode workload, boolean needsReplicas) {
        List<Cause> causes = new ArrayList<>();
        JsonNode spec = workload.get("spec");
        if (spec == null || !spec.isObject()) {
            causes.add(required("spec", "Required value"));
            return causes;
        }
        if (needsReplicas && spec.has("replicas") && (!spec.get("replicas").isIntegralNumber() || spec.get("replicas").asLong() < 0)) {
            causes.add(invalid("spec.replicas", spec.get("replicas").toString(), "must be greater than or equal to 0"));
        }
        JsonNode selector = spec.get("selector");
        if (selector == null || !selector.isObject() || selector.isEmpty()) {
            causes.add(required("spec.selector", "Required value"));
        } else {
            labels(causes, "spec.selector.matchLabels", selector.get("matchLabels"));
            JsonNode templateLabels = Json.at(spec, "template", "metadata", "labels");
            JsonNode matchLabels = selector.get("matchLabels");
            if (matchLabels != null && matchLabels.isObject()) {
                for (var entry : matchLabels.properties()) {
                    if (templateLabels == null || !entry.getValue().equals(templateLabels.get(entry.getKey()))) {
                        causes.add(invalid("spec.template.metadata.labels", String.valueOf(templateLabels),
                                "`selector` does not match template `labels`"));
                        break;
                    }
                }
            }
        }
        labels(causes, "spec.template.metadata.labels", Json.at(spec, "template", "metadata", "labels"));
        podSpec(causes, "spec.template.spec", Json.at(spec, "template", "spec"));
        return causes;
    }

    static List<Cause> service(ObjectNode service) {
        List<Cause> causes = new ArrayList<>();
        JsonNode spec = service.path("spec");
        String type = spec.path("type").asString("ClusterIP");
        if (!Set.of("ClusterIP", "NodePort", "LoadBalancer", "ExternalName").contains(type)) {
            causes.add(new Cause("FieldValueNotSupported", "spec.type", "Unsupported value: \"" + type
                    + "\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\""));
        }
        JsonNode ports = spec.get("ports");
        boolean headless = "None".equals(spec.path("clusterIP").asString(""));
        if ("ExternalName".equals(type)) {
            if (spec.path("externalName").asString("").isEmpty()) {
                causes.add(required("spec.externalName", "Required value"));
            }
        } else if ((ports == null || !ports.isArray() || ports.isEmpty()) && !headless) {
            causes.add(required("spec.ports", "Required value"));
        }
        if (ports != null && ports.isArray()) {
            Set<String> names = new HashSet<>();
            for (int i = 0; i < ports.size(); i++) {
                JsonNode port = ports.get(i);
                String path = "spec.ports[" + i + "]";
                portNumber(causes, path + ".port", port.get("port"), true);
                protocol(causes, path + ".protocol", port);
                String name = port.path("name").asString("");
                if (ports.size() > 1 && name.isEmpty()) {
                    causes.add(required(path + ".name", "Required value"));
                } else if (!name.isEmpty() && !names.add(name)) {
                    causes.add(new Cause("FieldValueDuplicate", path + ".name", "Duplicate value: \"" + name + "\""));
                }
                JsonNode target = port.get("targetPort");
                if (target != null && target.isIntegralNumber()) {
                    portNumber(causes, path + ".targetPort", target, true);
                }
                if (port.has("nodePort") && "ClusterIP".equals(type) && port.get("nodePort").asInt(0) != 0) {
                    causes.add(new Cause("FieldValueForbidden", path + ".nodePort", "Forbidden: may not be used when `type` is 'ClusterIP'"));
                }
            }
        }
        labels(causes, "spec.selector", spec.get("selector"));
        return causes;
    }

    static List<Cause> configMap(ObjectNode configMap) {
        List<Cause> causes = new ArrayList<>();
        keys(causes, "data", configMap.get("data"), false);
        keys(causes, "binaryData", configMap.get("binaryData"), true);
        return causes;
    }

    static List<Cause> secret(ObjectNode secret) {
        List<Cause> causes = new ArrayList<>();
        keys(causes, "data", secret.get("data"), true);
        keys(causes, "stringData", secret.get("stringData"), false);
        return causes;
    }

    static List<Cause> ingress(ObjectNode ingress) {
        List<Cause> causes = new ArrayList<>();
        JsonNode rules = Json.at(ingress, "spec", "rules");
        if (rules != null && rules.isArray()) {
            for (int r = 0; r < rules.size(); r++) {
                JsonNode paths = rules.get(r).path("http").path("paths");
                for (int p = 0; p < paths.size(); p++) {
                    String field = "spec.rules[" + r + "].http.paths[" + p + "]";
                    String pathType = paths.get(p).path("pathType").asString("");
                    if (pathType.isEmpty()) {
                        causes.add(required(field + ".pathType", "Required value: pathType must be specified"));
                    } else if (!Set.of("Exact", "Prefix", "ImplementationSpecific").contains(pathType)) {
                        causes.add(new Cause("FieldValueNotSupported", field + ".pathType", "Unsupported value: \"" + pathType + "\""));
                    }
                    if (paths.get(p).path("backend").isEmpty()) {
                        causes.add(required(field + ".backend", "Required value"));
                    }
                }
            }
        }
        return causes;
    }

    static List<Cause> certificateSigningRequest(ObjectNode csr) {
        List<Cause> causes = new ArrayList<>();
        if (Json.textOr(csr, "", "spec", "request").isEmpty()) {
            causes.add(required("spec.request", "Required value"));
        }
        if (Json.textOr(csr, "", "spec", "signerName").isEmpty()) {
            causes.add(required("spec.signerName", "Required value"));
        }
        return causes;
    }

    static List<Cause> binding(ObjectNode binding) {
        List<Cause> causes = new ArrayList<>();
        if (Json.textOr(binding, "", "roleRef", "name").isEmpty()) {
            causes.add(required("roleRef.name", "Required value"));
        }
        if (Json.textOr(binding, "", "roleRef", "kind").isEmpty()) {
            causes.add(required("roleRef.kind", "Required value"));
        }
        return causes;
    }

    static List<Cause> none(ObjectNode object) {
        return List.of();
    }

    private static void keys(List<Cause> causes, String field, JsonNode map, boolean base64) {
        if (map == null || !map.isObject()) {
            return;
        }
        for (var entry : map.properties()) {
            if (entry.getKey().length() > 253 || !CONFIG_KEY.matcher(entry.getKey()).matches()) {
                causes.add(invalid(field, entry.getKey(), "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"));
            }
            if (base64) {
                try {
                    Base64.getDecoder().decode(entry.getValue().asString(""));
                } catch (IllegalArgumentException e) {
                    causes.add(invalid(field + "[" + entry.getKey() + "]", "<value>", "illegal base64 data"));
                }
            }
        }
    }

    private static void portNumber(List<Cause> causes, String field, JsonNode port, boolean required) {
        if (port == null || port.isNull()) {
            if (required) {
                causes.add(required(field, "Required value"));
            }
            return;
        }
        if (!port.isIntegralNumber() || port.asLong() < 1 || port.asLong() > 65535) {
            causes.add(invalid(field, port.toString(), "must be between 1 and 65535, inclusive"));
        }
    }

    private static void protocol(List<Cause> causes, String field, JsonNode port) {
        String protocol = port.path("protocol").asString("TCP");
        if (!PROTOCOLS.contains(protocol)) {
            causes.add(new Cause("FieldValueNotSupported", field,
                    "Unsupported value: \"" + protocol + "\": supported values: \"SCTP\", \"TCP\", \"UDP\""));
        }
    }

    public static boolean isDnsLabel(String value) {
        return value.length() <= 63 && DNS_LABEL.matcher(value).matches();
    }

    public static boolean isSubdomain(String value) {
        return value.length() <= 253 && DNS_SUBDOMAIN.matcher(value).matches();
    }

    /** A label or annotation key: an optional DNS-subdomain prefix and a name of at most 63 characters. */
    public static boolean isQualifiedName(String key) {
        int slash = key.lastIndexOf('/');
        String name = slash < 0 ? key : key.substring(slash + 1);
        if (slash >= 0 && (key.indexOf('/') != slash || !isSubdomain(key.substring(0, slash)))) {
            return false;
        }
        return !name.isEmpty() && name.length() <= 63 && LABEL_NAME.matcher(name).matches();
    }

    private static Cause required(String field, String message) {
        return new Cause("FieldValueRequired", field, message);
    }

    private static Cause invalid(String field, String value, String message) {
        return new Cause("FieldValueInvalid", field, "Invalid value: \"" + value + "\": " + message);
    }
}
