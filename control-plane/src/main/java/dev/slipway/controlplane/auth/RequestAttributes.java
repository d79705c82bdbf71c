package dev.slipway.controlplane.auth;

/**
 * What a request asks to do, as the API server resolved it; "" stands for "not given".
 *
 * @param user            who asks
 * @param verb            for resource requests: get, list, watch, create, update, patch, delete,
 *                        deletecollection; for other paths the lower-case HTTP method (get, post, put, ...)
 * @param apiGroup        "" for the core group
 * @param apiVersion      e.g. v1
 * @param resource        the plural resource name, e.g. pods
 * @param subresource     e.g. status, scale, log; "" when none
 * @param namespace       "" for cluster-scoped resources and requests across all namespaces
 * @param name            the object's name; "" for list, watch, and create without a name in the path
 * @param resourceRequest false for non-resource paths such as /healthz, /version, /api, /apis
 * @param path            the request path, e.g. /api/v1/namespaces/default/pods
 * @param fieldSelector   the request's raw fieldSelector parameter (e.g. {@code spec.nodeName=worker-1}), "" when none
 */
public record RequestAttributes(UserInfo user, String verb, String apiGroup, String apiVersion, String resource,
                                String subresource, String namespace, String name, boolean resourceRequest,
                                String path, String fieldSelector) {

    public RequestAttributes {
        if (user == null || verb == null || verb.isEmpty()) {
            throw new IllegalArgumentException("request attributes need a user and a verb");
        }
        apiGroup = orEmpty(apiGroup);
        apiVersion = orEmpty(apiVersion);
        resource = orEmpty(resource);
        subresource = orEmpty(subresource);
        namespace = orEmpty(namespace);
        name = orEmpty(name);
        path = orEmpty(path);
        fieldSelector = orEmpty(fieldSelector);
    }

    /** A request on a resource, e.g. {@code resource(user, "get", "", "v1", "pods", "", "default", "web")}. */
    public static RequestAttributes resource(UserInfo user, String verb, String apiGroup, String apiVersion,
                                             String resource, String subresource, String namespace, String name) {
        return new RequestAttributes(user, verb, apiGroup, apiVersion, resource, subresource, namespace, name,
                true, "", "");
    }

    /** A request on a path that is not a resource, e.g. {@code nonResource(user, "get", "/healthz")}. */
    public static RequestAttributes nonResource(UserInfo user, String verb, String path) {
        return new RequestAttributes(user, verb, "", "", "", "", "", "", false, path, "");
    }

    public RequestAttributes withFieldSelector(String selector) {
        return new RequestAttributes(user, verb, apiGroup, apiVersion, resource, subresource, namespace, name,
                resourceRequest, path, selector);
    }

    public RequestAttributes withPath(String requestPath) {
        return new RequestAttributes(user, verb, apiGroup, apiVersion, resource, subresource, namespace, name,
                resourceRequest, requestPath, fieldSelector);
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }
}
