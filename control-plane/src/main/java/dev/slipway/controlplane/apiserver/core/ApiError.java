package dev.slipway.controlplane.apiserver.core;

import java.util.List;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A request that failed with a Kubernetes {@code Status}: the HTTP code, the machine-readable
 * reason, a message for people, and (for 422) the fields that were wrong.
 */
public final class ApiError extends RuntimeException {

    /** One wrong field: {@code reason} is e.g. FieldValueInvalid, FieldValueRequired. */
    public record Cause(String reason, String field, String message) {
    }

    private final int code;
    private final String reason;
    private final String name;
    private final String group;
    private final String kind;
    private final List<Cause> causes;

    public ApiError(int code, String reason, String message, String name, String group, String kind, List<Cause> causes) {
        super(message);
        this.code = code;
        this.reason = reason;
        this.name = name == null ? "" : name;
        this.group = group == null ? "" : group;
        this.kind = kind == null ? "" : kind;
        this.causes = List.copyOf(causes);
    }

    public static ApiError badRequest(String message) {
        return new ApiError(400, "BadRequest", message, "", "", "", List.of());
    }

    public static ApiError notFound(String group, String resource, String name) {
        String what = group.isEmpty() ? resource : resource + "." + group;
        return new ApiError(404, "NotFound", what + " \"" + name + "\" not found", name, group, resource, List.of());
    }

    public static ApiError notFoundPath(String path) {
        return new ApiError(404, "NotFound", "the server could not find the requested resource (" + path + ")", "", "", "",
                List.of());
    }

    public static ApiError alreadyExists(String group, String resource, String name) {
        String what = group.isEmpty() ? resource : resource + "." + group;
        return new ApiError(409, "AlreadyExists", what + " \"" + name + "\" already exists", name, group, resource, List.of());
    }

    public static ApiError conflict(String group, String resource, String name, String detail) {
        String what = group.isEmpty() ? resource : resource + "." + group;
        return new ApiError(409, "Conflict", "Operation cannot be fulfilled on " + what + " \"" + name + "\": " + detail,
                name, group, resource, List.of());
    }

    public static ApiError invalid(String group, String kind, String name, List<Cause> causes) {
        StringBuilder message = new StringBuilder(kind).append(" \"").append(name).append("\" is invalid: ");
        for (int i = 0; i < causes.size(); i++) {
            message.append(i == 0 ? "" : ", ").append(causes.get(i).field()).append(": ").append(causes.get(i).message());
        }
        return new ApiError(422, "Invalid", message.toString(), name, group, kind, causes);
    }

    public static ApiError forbidden(String message) {
        return new ApiError(403, "Forbidden", message, "", "", "", List.of());
    }

    public static ApiError methodNotAllowed(String message) {
        return new ApiError(405, "MethodNotAllowed", message, "", "", "", List.of());
    }

    public static ApiError unsupportedMediaType(String contentType) {
        return new ApiError(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media types include: "
                + "application/json, application/yaml, application/vnd.kubernetes.protobuf, application/merge-patch+json, "
                + "application/json-patch+json, "
                + "application/strategic-merge-patch+json, application/apply-patch+yaml (got " + contentType + ")",
                "", "", "", List.of());
    }

    public static ApiError tooLarge(long limit) {
        return new ApiError(413, "RequestEntityTooLarge", "the request body is larger than " + limit + " bytes", "", "", "",
                List.of());
    }

    public static ApiError gone(String message) {
        return new ApiError(410, "Expired", message, "", "", "", List.of());
    }

    public static ApiError unauthorized() {
        return new ApiError(401, "Unauthorized", "Unauthorized", "", "", "", List.of());
    }

    public static ApiError unavailable(String message) {
        return new ApiError(503, "ServiceUnavailable", message, "", "", "", List.of());
    }

    public static ApiError internal(String message) {
        return new ApiError(500, "InternalError", "Internal error occurred: " + message, "", "", "", List.of());
    }

    public int code() {
        return code;
    }

    public String reason() {
        return reason;
    }

    public List<Cause> causes() {
        return causes;
    }

    /** The {@code Status} object Kubernetes answers with. */
    public ObjectNode toStatus() {
        ObjectNode status = Json.object();
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        status.putObject("metadata");
        status.put("status", "Failure");
        status.put("message", getMessage());
        status.put("reason", reason);
        if (!name.isEmpty() || !kind.isEmpty() || !causes.isEmpty()) {
            ObjectNode details = status.putObject("details");
            if (!name.isEmpty()) {
                details.put("name", name);
            }
            if (!group.isEmpty()) {
                details.put("group", group);
            }
            if (!kind.isEmpty()) {
                details.put("kind", kind);
            }
            if (!causes.isEmpty()) {
                ArrayNode list = details.putArray("causes");
                for (Cause cause : causes) {
                    list.addObject().put("reason", cause.reason()).put("message", cause.message()).put("field", cause.field());
                }
            }
        }
        status.put("code", code);
        return status;
    }
}
