package dev.slipway.controlplane.apiserver.http;

import dev.slipway.controlplane.apiserver.rest.Query;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A request as the API server resolved it from method and path, like Kubernetes' RequestInfo.
 * {@code verb} is get, list, watch, create, update, patch, delete or deletecollection for resource
 * requests, the lower-case HTTP method otherwise.
 */
record ApiRequest(String method, String path, boolean resourceRequest, String verb, String group, String version,
                  String resource, String subresource, String namespace, String name, Query query) {

    private static final Set<String> CONNECT_SUBRESOURCES = Set.of("exec", "attach", "portforward");

    static ApiRequest resolve(String method, String path, Query query) {
        String lower = method.toLowerCase();
        List<String> parts = segments(path);
        int start;
        String group;
        String version;
        if (parts.size() >= 2 && parts.get(0).equals("api")) {
            group = "";
            version = parts.get(1);
            start = 2;
        } else if (parts.size() >= 3 && parts.get(0).equals("apis")) {
            group = parts.get(1);
            version = parts.get(2);
            start = 3;
        } else {
            return nonResource(method, path, query);
        }
        List<String> rest = parts.subList(start, parts.size());
        if (rest.isEmpty()) {
            return nonResource(method, path, query);
        }
        boolean watchPrefix = rest.get(0).equals("watch");
        if (watchPrefix) {
            rest = rest.subList(1, rest.size());
        }
        String namespace = "";
        String resource;
        String name = "";
        String subresource = "";
        if (rest.size() >= 2 && rest.get(0).equals("namespaces") && rest.size() != 2 && !isNamespaceSubresource(rest)) {
            namespace = rest.get(1);
            rest = rest.subList(2, rest.size());
        }
        if (rest.isEmpty()) {
            return nonResource(method, path, query);
        }
        resource = rest.get(0);
        if (rest.size() >= 2) {
            name = rest.get(1);
        }
        if (rest.size() >= 3) {
            subresource = rest.get(2);
        }
        if (rest.size() > 3) {
            return nonResource(method, path, query);
        }
        if (resource.equals("namespaces") && !name.isEmpty()) {
            namespace = name;
        }
        String verb = switch (method) {
            case "GET", "HEAD" -> name.isEmpty() ? (watchPrefix || query.flag("watch") ? "watch" : "list") : (watchPrefix ? "watch" : "get");
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> name.isEmpty() ? "deletecollection" : "delete";
            default -> lower;
        };
        if (CONNECT_SUBRESOURCES.contains(subresource) && (method.equals("GET") || method.equals("POST"))) {
            // Kubernetes authorizes exec, attach and port-forward as create, also when a WebSocket client opens them with GET.
            verb = "create";
        }
        return new ApiRequest(method, path, true, verb, group, version, resource, subresource, namespace, name, query);
    }

    /** The path's non-empty segments: {@code /api//v1/} is [api, v1]. Split by hand: this runs for every request. */
    private static List<String> segments(String path) {
        List<String> segments = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= path.length(); i++) {
            if (i == path.length() || path.charAt(i) == '/') {
                if (i > start) {
                    segments.add(path.substring(start, i));
                }
                start = i + 1;
            }
        }
        return segments;
    }

    private static boolean isNamespaceSubresource(List<String> rest) {
        return rest.size() == 3 && (rest.get(2).equals("status") || rest.get(2).equals("finalize"));
    }

    private static ApiRequest nonResource(String method, String path, Query query) {
        return new ApiRequest(method, path, false, method.toLowerCase(), "", "", "", "", "", "", query);
    }
}
