package dev.slipway.controlplane.apiserver.discovery;

import dev.slipway.controlplane.apiserver.core.Json;
import dev.slipway.controlplane.apiserver.resources.ResourceDescriptor;
import dev.slipway.controlplane.apiserver.resources.ResourceRegistry;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The legacy discovery documents kubectl reads: /api, /apis, /apis/{group}, and each group-version's resources. */
public final class Discovery {

    public static final String VERSION = "v1.32.0-slipway";

    private final ResourceRegistry registry;

    public Discovery(ResourceRegistry registry) {
        this.registry = registry;
    }

    /** {@code /api}. */
    public ObjectNode coreVersions(String serverAddress) {
        ObjectNode versions = Json.object();
        versions.put("kind", "APIVersions");
        versions.putArray("versions").add("v1");
        versions.putArray("serverAddressByClientCIDRs").addObject().put("clientCIDR", "0.0.0.0/0").put("serverAddress", serverAddress);
        return versions;
    }

    /** {@code /apis}. */
    public ObjectNode groups() {
        ObjectNode list = Json.object();
        list.put("kind", "APIGroupList");
        list.put("apiVersion", "v1");
        ArrayNode groups = list.putArray("groups");
        for (String group : registry.groups()) {
            if (!group.isEmpty()) {
                groups.add(group(group).orElseThrow());
            }
        }
        return list;
    }

    /** {@code /apis/{group}}. */
    public Optional<ObjectNode> group(String name) {
        if (name.isEmpty() || !registry.groups().contains(name)) {
            return Optional.empty();
        }
        ObjectNode group = Json.object();
        group.put("kind", "APIGroup");
        group.put("apiVersion", "v1");
        group.put("name", name);
        ObjectNode version = Json.object().put("groupVersion", name + "/v1").put("version", "v1");
        group.putArray("versions").add(version);
        group.set("preferredVersion", version.deepCopy());
        return Optional.of(group);
    }

    /** {@code /api/v1} or {@code /apis/{group}/{version}}. */
    public Optional<ObjectNode> resources(String group, String version) {
        List<ResourceDescriptor> resources = registry.inGroupVersion(group, version);
        if (resources.isEmpty()) {
            return Optional.empty();
        }
        ObjectNode list = Json.object();
        list.put("kind", "APIResourceList");
        list.put("apiVersion", "v1");
        list.put("groupVersion", group.isEmpty() ? version : group + "/" + version);
        ArrayNode items = list.putArray("resources");
        for (ResourceDescriptor resource : resources) {
            ObjectNode item = items.addObject();
            item.put("name", resource.plural());
            item.put("singularName", resource.singular());
            item.put("namespaced", resource.namespaced());
            item.put("kind", resource.kind());
            ArrayNode verbs = item.putArray("verbs");
            resource.verbs().forEach(verbs::add);
            if (!resource.shortNames().isEmpty()) {
                ArrayNode shortNames = item.putArray("shortNames");
                resource.shortNames().forEach(shortNames::add);
            }
            if (!resource.categories().isEmpty()) {
                ArrayNode categories = item.putArray("categories");
                resource.categories().forEach(categories::add);
            }
            for (String subresource : resource.subresources().stream().sorted().toList()) {
                ObjectNode sub = items.addObject();
                sub.put("name", resource.plural() + "/" + subresource);
                sub.put("singularName", "");
                sub.put("namespaced", resource.namespaced());
                ArrayNode subVerbs = sub.putArray("verbs");
                switch (subresource) {
                    case "scale" -> {
                        sub.put("group", "autoscaling").put("version", "v1").put("kind", "Scale");
                        List.of("get", "patch", "update").forEach(subVerbs::add);
                    }
                    case "binding" -> {
                        sub.put("kind", "Binding");
                        subVerbs.add("create");
                    }
                    case "eviction" -> {
                        sub.put("group", "policy").put("version", "v1").put("kind", "Eviction");
                        subVerbs.add("create");
                    }
                    case "token" -> {
                        sub.put("group", "authentication.k8s.io").put("version", "v1").put("kind", "TokenRequest");
                        subVerbs.add("create");
                    }
                    case "finalize" -> {
                        sub.put("kind", resource.kind());
                        subVerbs.add("update");
                    }
                    default -> {
                        sub.put("kind", resource.kind());
                        List.of("get", "patch", "update").forEach(subVerbs::add);
                    }
                }
            }
        }
        return Optional.of(list);
    }

    /** {@code /version}. */
    public static ObjectNode version() {
        ObjectNode version = Json.object();
        version.put("major", "1");
        version.put("minor", "32");
        version.put("gitVersion", VERSION);
        version.put("gitCommit", "slipway");
        version.put("gitTreeState", "clean");
        version.put("buildDate", "2026-01-01T00:00:00Z");
        version.put("goVersion", "java" + Runtime.version().feature());
        version.put("compiler", "javac");
        version.put("platform", System.getProperty("os.name").toLowerCase() + "/" + System.getProperty("os.arch"));
        return version;
    }
}
