package dev.slipway.controlplane.auth;

/**
 * What a service-account token says about its holder; pod name and uid are "" when the token is
 * not bound to a pod, the service account's uid "" when unknown.
 */
public record ServiceAccountToken(String namespace, String serviceAccountName, String serviceAccountUid,
                                  String podName, String podUid) {

    static final String USER_PREFIX = "system:serviceaccount:";
    static final String GROUP = "system:serviceaccounts";

    public ServiceAccountToken {
        if (namespace == null || namespace.isBlank() || serviceAccountName == null || serviceAccountName.isBlank()) {
            throw new IllegalArgumentException("a service-account token needs a namespace and a service account name");
        }
        serviceAccountUid = serviceAccountUid == null ? "" : serviceAccountUid;
        podName = podName == null ? "" : podName;
        podUid = podUid == null ? "" : podUid;
    }

    public static ServiceAccountToken of(String namespace, String serviceAccountName, String serviceAccountUid) {
        return new ServiceAccountToken(namespace, serviceAccountName, serviceAccountUid, "", "");
    }

    public ServiceAccountToken boundToPod(String name, String uid) {
        return new ServiceAccountToken(namespace, serviceAccountName, serviceAccountUid, name, uid);
    }

    public boolean podBound() {
        return !podName.isEmpty();
    }

    /** {@code system:serviceaccount:<namespace>:<name>}. */
    public String userName() {
        return USER_PREFIX + namespace + ":" + serviceAccountName;
    }
}
