package dev.slipway.controlplane.storage;

/**
 * Where an object lives in etcd: {@code /registry/<resource>/<namespace>/<name>}, or
 * {@code /registry/<resource>/<name>} when the resource is cluster-scoped (namespace "").
 */
public record ObjectKey(String resource, String namespace, String name) {

    static final String ROOT = "/registry/";

    public ObjectKey {
        requireSegment("resource", resource);
        if (namespace == null) {
            throw new IllegalArgumentException("namespace must be \"\" for a cluster-scoped object, not null (" + resource + "/" + name + ")");
        }
        if (!namespace.isEmpty()) {
            requireSegment("namespace", namespace);
        }
        requireSegment("name", name);
    }

    /** A key of a cluster-scoped object (Nodes, Namespaces, ClusterRoles). */
    public static ObjectKey clusterScoped(String resource, String name) {
        return new ObjectKey(resource, "", name);
    }

    public boolean clusterScoped() {
        return namespace.isEmpty();
    }

    /** The etcd key, e.g. {@code /registry/pods/default/web-0}. */
    public String path() {
        return clusterScoped() ? ROOT + resource + "/" + name : ROOT + resource + "/" + namespace + "/" + name;
    }

    /** The etcd key prefix under which all objects of a resource (optionally of one namespace) live. */
    static String prefix(String resource, String namespace) {
        requireSegment("resource", resource);
        if (namespace.isEmpty()) {
            return ROOT + resource + "/";
        }
        requireSegment("namespace", namespace);
        return ROOT + resource + "/" + namespace + "/";
    }

    /** The key stored at an etcd path under {@code /registry/<resource>/}. */
    static ObjectKey fromPath(String resource, String path) {
        String rest = path.substring((ROOT + resource + "/").length());
        int slash = rest.indexOf('/');
        return slash < 0 ? new ObjectKey(resource, "", rest) : new ObjectKey(resource, rest.substring(0, slash), rest.substring(slash + 1));
    }

    private static void requireSegment(String field, String value) {
        if (value == null || !isSegment(value)) {
            throw new IllegalArgumentException("invalid " + field + " in an object key: '" + value
                    + "' (letters, digits, '.', '-', '_', ':', '@'; at most 253 characters)");
        }
    }

    // A path segment must not be able to reach another resource's or namespace's keys: [A-Za-z0-9][A-Za-z0-9._:@-]*, checked
    // by hand rather than with a regular expression, since every request builds keys and the matcher showed in profiles.
    private static boolean isSegment(String value) {
        if (value.isEmpty() || value.length() > 253 || !letterOrDigit(value.charAt(0))) {
            return false;
        }
        for (int i = 1; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!letterOrDigit(c) && c != '.' && c != '_' && c != ':' && c != '@' && c != '-') {
                return false;
            }
        }
        return true;
    }

    private static boolean letterOrDigit(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    @Override
    public String toString() {
        return path();
    }
}
