package dev.slipway.controlplane.apiserver.discovery;

import com.google.protobuf.CodedOutputStream;
import dev.slipway.controlplane.apiserver.core.Json;
import dev.slipway.controlplane.apiserver.resources.ResourceDescriptor;
import dev.slipway.controlplane.apiserver.resources.ResourceRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * OpenAPI documents of the served resources. They describe every path and operation with its
 * group-version-kind and its parameters (notably {@code fieldValidation}, which tells kubectl to
 * leave field validation to the server), but not the schemas of the objects: object schemas are
 * typed as plain objects, so kubectl falls back to its built-in types for strategic merge.
 */
public final class OpenApi {

    private final ResourceRegistry registry;

    public OpenApi(ResourceRegistry registry) {
        this.registry = registry;
    }

    /** {@code /openapi/v3}: one entry per group-version, each URL carrying the hash of its document. */
    public ObjectNode v3Index() {
        ObjectNode index = Json.object();
        ObjectNode paths = index.putObject("paths");
        for (String groupVersion : groupVersions()) {
            String path = groupVersion.contains("/") ? "apis/" + groupVersion : "api/" + groupVersion;
            ObjectNode document = v3(groupVersion).orElseThrow();
            paths.putObject(path).put("serverRelativeURL", "/openapi/v3/" + path + "?hash=" + hash(document));
        }
        return index;
    }

    /** {@code /openapi/v3/api/v1} ({@code "v1"}) or {@code /openapi/v3/apis/apps/v1} ({@code "apps/v1"}). */
    public Optional<ObjectNode> v3(String groupVersion) {
        List<ResourceDescriptor> resources = registry.all().stream().filter(r -> r.apiVersion().equals(groupVersion)).toList();
        if (resources.isEmpty()) {
            return Optional.empty();
        }
        ObjectNode document = Json.object();
        document.put("openapi", "3.0.0");
        document.putObject("info").put("title", "Kubernetes").put("version", Discovery.VERSION);
        ObjectNode paths = document.putObject("paths");
        ObjectNode schemas = document.putObject("components").putObject("schemas");
        for (ResourceDescriptor resource : resources) {
            String schema = schemaName(resource);
            schemas.putObject(schema).put("type", "object").put("description", resource.kind())
                    .putArray("x-kubernetes-group-version-kind").add(gvk(resource));
            String collection = collectionPath(resource);
            ObjectNode list = paths.putObject(collection);
            list.set("get", operation(resource, "list", List.of()));
            list.set("post", operation(resource, "create", List.of("dryRun", "fieldManager", "fieldValidation")));
            ObjectNode item = paths.putObject(collection + "/{name}");
            item.set("get", operation(resource, "read", List.of()));
            item.set("put", operation(resource, "replace", List.of("dryRun", "fieldManager", "fieldValidation")));
            item.set("patch", operation(resource, "patch", List.of("dryRun", "fieldManager", "fieldValidation", "force")));
            item.set("delete", operation(resource, "delete", List.of("dryRun", "gracePeriodSeconds", "propagationPolicy")));
        }
        return Optional.of(document);
    }

    /** {@code /openapi/v2} as JSON: the same paths in Swagger 2.0 form. */
    public ObjectNode v2() {
        ObjectNode document = Json.object();
        document.put("swagger", "2.0");
        document.putObject("info").put("title", "Kubernetes").put("version", Discovery.VERSION);
        ObjectNode paths = document.putObject("paths");
        ObjectNode definitions = document.putObject("definitions");
        for (ResourceDescriptor resource : registry.all()) {
            definitions.putObject(schemaName(resource)).put("type", "object").put("description", resource.kind())
                    .putArray("x-kubernetes-group-version-kind").add(gvk(resource));
            ObjectNode item = paths.putObject(collectionPath(resource) + "/{name}");
            item.set("patch", operation(resource, "patch", List.of("dryRun", "fieldManager", "fieldValidation", "force")));
        }
        return document;
    }

    /**
     * {@code /openapi/v2} as gnostic's {@code openapi.v2.Document} protobuf, which kubectl before 1.23
     * asks for. Only the version and info are encoded: kubectl skips validation of kinds it has no
     * schema for and uses its compiled-in types for strategic merge, so that is all it needs.
     */
    public byte[] v2Protobuf() {
        byte[] info = message(out -> {
            out.writeString(1, "Kubernetes"); // Info.title
            out.writeString(2, Discovery.VERSION); // Info.version
        });
        return message(out -> {
            out.writeString(1, "2.0"); // Document.swagger
            out.writeByteArray(2, info); // Document.info
        });
    }

    private interface MessageFields {
        void write(CodedOutputStream out) throws IOException;
    }

    private static byte[] message(MessageFields fields) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            fields.write(out);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory does not fail", e);
        }
    }

    private ObjectNode operation(ResourceDescriptor resource, String action, List<String> parameters) {
        ObjectNode operation = Json.object();
        operation.put("operationId", action + resource.kind());
        operation.put("x-kubernetes-action", action.equals("read") ? "get" : action);
        operation.set("x-kubernetes-group-version-kind", gvk(resource));
        ArrayNode list = operation.putArray("parameters");
        for (String parameter : parameters) {
            list.addObject().put("name", parameter).put("in", "query").put("uniqueItems", true).putObject("schema").put("type", "string");
        }
        operation.putObject("responses").putObject("200").put("description", "OK");
        return operation;
    }

    private List<String> groupVersions() {
        return registry.all().stream().map(ResourceDescriptor::apiVersion).distinct().toList();
    }

    private static String collectionPath(ResourceDescriptor resource) {
        String root = resource.group().isEmpty() ? "/api/" + resource.version() : "/apis/" + resource.apiVersion();
        return root + (resource.namespaced() ? "/namespaces/{namespace}/" : "/") + resource.plural();
    }

    private static String schemaName(ResourceDescriptor resource) {
        String group = resource.group().isEmpty() ? "core" : resource.group().split("\\.")[0];
        return "io.k8s.api." + group + "." + resource.version() + "." + resource.kind();
    }

    private static ObjectNode gvk(ResourceDescriptor resource) {
        return Json.object().put("group", resource.group()).put("version", resource.version()).put("kind", resource.kind());
    }

    private static String hash(ObjectNode document) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-512").digest(Json.bytes(document));
            return HexFormat.of().formatHex(digest).toUpperCase();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-512 is part of every JDK", e);
        }
    }

}
